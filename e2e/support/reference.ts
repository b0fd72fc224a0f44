/** The Python reference for e2e tests: checkpoints (via test/support/reference.ts) and pipeline outputs. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureCheckpoints, python } from '../../test/support/reference';
import { CACHE, FIXTURE, ROOT } from './fixtures';

export { ensureCheckpoints };

/** Runs tools/reference/pipeline.py once per argument set (cached under .cache/e2e/ref-<key>). */
export function referencePipeline(key: string, args: string[]): string {
  const out = resolve(CACHE, `ref-${key}`);
  if (existsSync(resolve(out, 'meta.json'))) return out;
  mkdirSync(out, { recursive: true });
  execFileSync(python(), [resolve(ROOT, 'tools/reference/pipeline.py'), FIXTURE, '--out', out, ...args], { stdio: 'inherit' });
  return out;
}
