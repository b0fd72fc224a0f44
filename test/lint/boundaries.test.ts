/**
 * The layer boundaries of eslint.config.js bite: a deliberately wrong import in each layer is an error, the
 * right one is not. (The tree itself is checked by `npm run lint`.)
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths';

/** The project's config on snippets that are not files of the tree: without the type-aware rules (they need a program). */
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [
    {
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  ],
});

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(fatal.message);
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('the UI may not call the bridge (only the store)', async () => {
    const wrong = await restricted('src/ui/Wrong.tsx', "import { bridge } from '../bridge/pipeline';\nexport const b = bridge;\n");
    expect(wrong.join()).toContain('the UI reads and calls the store only');
    expect(await restricted('src/ui/Right.tsx', "import { useStore } from '../state/store';\nexport const s = useStore;\n")).toEqual([]);
  });

  it('the store may not import comlink or the worker', async () => {
    expect((await restricted('src/state/wrong.ts', "import { proxy } from 'comlink';\nexport const p = proxy;\n")).join()).toContain('comlink stays inside');
    expect((await restricted('src/state/wrong2.ts', "import { withJobs } from '../worker/jobs';\nexport const w = withJobs;\n")).join()).toContain(
      'the store calls the bridge only',
    );
  });

  it('pure pipeline code may not import a browser engine at run time (types are fine)', async () => {
    expect(
      (await restricted('src/pipeline/wrong.ts', "import { openFlowEngine } from '../flow/engine';\nexport const o = openFlowEngine;\n")).join(),
    ).toContain('src/pipeline is pure');
    expect(await restricted('src/pipeline/right.ts', "import type { OpenFlowEngine } from '../flow/engine';\nexport type O = OpenFlowEngine;\n")).toEqual([]);
  });

  it('only the model runtime imports onnxruntime-web; product code never imports tests or tools', async () => {
    expect((await restricted('src/flow/wrong.ts', "import * as ort from 'onnxruntime-web';\nexport const o = ort;\n")).join()).toContain(
      'only src/model/ort.ts',
    );
    expect((await restricted('src/io/wrong.ts', "import { mulberry32 } from '../../test/support/prng';\nexport const m = mulberry32;\n")).join()).toContain(
      'do not import the layers above them',
    );
  });

  it('the shared vocabulary (dtype names, output file names) is open to every layer', async () => {
    expect(await restricted('src/ui/Vocab.tsx', "import { MODEL_DTYPES } from '../model/types';\nexport const d = MODEL_DTYPES;\n")).toEqual([]);
  });
});
