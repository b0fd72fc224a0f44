/**
 * `npm run bench -- --quick --dry-run` (tiny inputs, one run, into a temporary folder) produces a well-formed
 * results file: every stage present, finite numbers, ratios computed from their figures; plus results.md and the
 * chart. No timing is asserted. The validator itself is checked on broken copies of that file.
 * The gpu stage (tools/bench/gpu.ts on Dawn's software adapter, about a minute) needs Dawn: the `webgpu` dev
 * dependency (or WEBGPU_DAWN); with it the stage must measure, without it say so.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGE_NAMES, ratio, validateResults, type BenchResults, type Figure } from '../../tools/bench/lib/schema';

const ROOT = resolve(import.meta.dirname, '../..');

function webgpuInstalled(): boolean {
  if (process.env.WEBGPU_DAWN) return existsSync(process.env.WEBGPU_DAWN);
  try {
    createRequire(join(ROOT, 'package.json')).resolve('webgpu/package.json');
    return true;
  } catch {
    return false;
  }
}
const run = promisify(execFile);

describe('npm run bench -- --quick --dry-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dry-run-'));
  const out = join(dir, 'results.json');
  const committed = join(ROOT, 'bench', 'results.json');
  const mtime = () => (existsSync(committed) ? statSync(committed).mtimeMs : null);
  let committedBefore: number | null = null;
  let results: BenchResults;

  beforeAll(async () => {
    committedBefore = mtime();
    await run('npm', ['run', 'bench', '--', '--quick', '--dry-run', '--out', out], { cwd: ROOT, maxBuffer: 64 << 20, timeout: 590_000 });
    results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a results file that passes the schema check', () => {
    expect(validateResults(results, STAGE_NAMES)).toEqual([]);
  });

  it('has every stage in dry-run mode, with figures and same-run ratios', () => {
    expect(Object.keys(results.stages).sort()).toEqual([...STAGE_NAMES].sort());
    for (const name of STAGE_NAMES.filter((n) => n !== 'gpu')) {
      const stage = results.stages[name];
      expect(stage.mode, name).toBe('dry-run');
      expect(stage.figures.length, name).toBeGreaterThan(0);
      expect(stage.ratios.length, name).toBeGreaterThan(0);
      expect(stage.method.length, name).toBeGreaterThan(0);
    }
    const figures = new Map(Object.values(results.stages).flatMap((s) => s.figures.map((f) => [f.id, f] as const)));
    // the comparisons the issue asks for, each between an app and a reference figure
    for (const id of ['decode.fixture', 'e2e.wall', 'e2e.memory', 'e2e.clip20.wall', 'e2e.batch.wall']) {
      const q = Object.values(results.stages)
        .flatMap((s) => s.ratios)
        .find((x) => x.id === id);
      expect(q, id).toBeDefined();
      expect(figures.get(q!.app)?.side).toBe('app');
      expect(figures.get(q!.reference)?.side).toBe('reference');
    }
    // the efficiency and the batch's per-clip overhead, from every video's meta.json (busySeconds, stageSeconds)
    for (const id of ['e2e.app.efficiency', 'e2e.clip20.app.efficiency', 'e2e.batch.app.clip-overhead', 'e2e.app.part.flow', 'e2e.reference.part.flow']) {
      const f = figures.get(id);
      expect(f, id).toBeDefined();
      expect(f!.median, id).toBeGreaterThan(0);
    }
    expect(figures.get('e2e.batch.app.clip')!.runs).toBe(2);
    const kinds = (stage: string) => new Set(results.stages[stage].ratios.map((q) => figures.get(q.app)?.params.impl ?? figures.get(q.app)?.params.dtype));
    expect(kinds('flow')).toContain('chromium-pool');
    expect(kinds('i3d')).toContain('fp32');
  });

  it('has the GPU figures, finite, with WebGPU agreeing with the CPU paths (or says Dawn is missing)', () => {
    const gpu = results.stages.gpu;
    expect(gpu.mode).toBe('dry-run');
    expect(gpu.method.length).toBeGreaterThan(0);
    // Dawn comes with the `webgpu` dev dependency; without it (WEBGPU_DAWN unset, the package gone) the stage says so
    if (!webgpuInstalled()) {
      expect(gpu.figures).toEqual([]);
      expect(gpu.skipped.join('\n')).toMatch(/no Dawn/);
      return;
    }
    const f = new Map(gpu.figures.map((x) => [x.id, x]));
    for (const id of ['gpu.flow', 'gpu.flow.epe', 'gpu.i3d.fp32', 'gpu.i3d.fp32.wasm', 'gpu.i3d.fp32.diff']) {
      expect(f.get(id), id).toBeDefined();
      expect(Number.isFinite(f.get(id)!.median), id).toBe(true);
    }
    expect(f.get('gpu.flow')!.median).toBeGreaterThan(0);
    expect(f.get('gpu.i3d.fp32')!.params.device).toBe('webgpu');
    expect(f.get('gpu.i3d.fp32')!.params.input).toBe('1x3x9x224x224');
    // the tolerances of src/model/verify.ts (fp32) and a flow within a hundredth of a pixel of the CPU's
    expect(f.get('gpu.i3d.fp32.diff')!.median).toBeLessThanOrEqual(1e-3);
    expect(f.get('gpu.flow.epe')!.median).toBeLessThan(0.01);
    expect(gpu.ratios.map((q) => q.id)).toContain('gpu.i3d.fp32');
  });

  it('leaves bench/results.json alone (--out)', () => {
    expect(mtime()).toBe(committedBefore);
  });

  it('records the machine and the versions of what it measured', () => {
    expect(results.machine.logicalCores).toBeGreaterThan(0);
    for (const k of ['chromium', 'onnxruntime-web', 'ffmpeg', 'opencv', 'torch']) expect(results.versions[k], k).toMatch(/\d/);
  });

  it('writes the table and the chart next to the results', () => {
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    for (const name of STAGE_NAMES) expect(md).toContain(`## ${name}`);
    expect(md).toContain('dry run');
    const png = readFileSync(join(dir, 'bench.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('the schema check rejects broken files', () => {
    const copy = () => JSON.parse(JSON.stringify(results)) as BenchResults;
    const missing = copy();
    delete (missing.stages as Record<string, unknown>).i3d;
    expect(validateResults(missing, STAGE_NAMES).join('\n')).toMatch(/stage i3d missing/);
    const nan = copy();
    nan.stages.decode.figures[0].median = NaN;
    expect(validateResults(JSON.parse(JSON.stringify(nan)), STAGE_NAMES).join('\n')).toMatch(/non-finite/);
    const wrong = copy();
    wrong.stages.e2e.ratios[0].value *= 2;
    expect(validateResults(wrong, STAGE_NAMES).join('\n')).toMatch(/ratio e2e\.wall: value/);
    const dangling = copy();
    dangling.stages.flow.ratios[0].reference = 'nowhere';
    expect(validateResults(dangling, STAGE_NAMES).join('\n')).toMatch(/unknown figure nowhere/);
  });
});

describe('ratio', () => {
  const fig = (id: string, unit: string, median: number): Figure => ({
    id,
    label: id,
    side: 'app',
    unit,
    median,
    min: median,
    max: median,
    runs: 1,
    params: {},
  });
  it('is app / reference, with the advantage in the unit’s direction', () => {
    expect(ratio('t', 't', fig('a', 's', 2), fig('b', 's', 4))).toMatchObject({ value: 0.5, advantage: 2, better: 'lower' });
    expect(ratio('p', 'p', fig('a', 'pairs/s', 2), fig('b', 'pairs/s', 4))).toMatchObject({ value: 0.5, advantage: 0.5, better: 'higher' });
  });
  it('refuses different units and non-positive medians', () => {
    expect(() => ratio('x', 'x', fig('a', 's', 1), fig('b', 'MiB', 1))).toThrow(/units differ/);
    expect(() => ratio('x', 'x', fig('a', 's', 0), fig('b', 's', 1))).toThrow(/positive/);
  });
});
