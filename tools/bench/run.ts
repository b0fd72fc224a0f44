/**
 * npm run bench -- [STAGE ...] [--quick] [--dry-run] [--runs N] [--out FILE] [--no-chart] [--render-only]
 *
 * Measures the app's stages against the Python tools on this machine, in one run: decode (ffmpeg.wasm vs native
 * ffmpeg), flow (TV-L1: Node and Chromium workers, WebGPU, vs OpenCV), i3d (onnxruntime-web vs PyTorch), e2e
 * (npm run extract vs tools/reference/pipeline.py: wall time and peak memory) memory (RGB-only extraction of
 * 2- and 10-minute 1080p videos) and gpu (tools/bench/gpu.ts on Dawn: WebGPU TV-L1, I3D per dtype vs WASM, end to end). Default: all stages, full mode. Every figure is the median of several runs with
 * min and max; every comparison is a ratio of two figures measured in the same run.
 *
 * --quick: fewer and smaller runs (a few minutes); --dry-run: tiny inputs, one run, slim models — checks every
 * stage's code path and the results file, no meaningful numbers; --runs N: runs per figure.
 * Writes FILE (default bench/results.json; stages not run keep their previous entry), a table next to it
 * (results.md) and a chart (docs/bench.png for the default FILE, else bench.png next to FILE).
 * --render-only: rewrite results.md and the chart from FILE, measuring nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWasm } from '../build-wasm.mjs';
import { ensureFreshBuild } from './lib/browser';
import { ROOT, sourceState, versions } from './lib/env';
import { markdownReport, renderChart, stageTable } from './lib/report';
import type { BenchResults, StageData, StageEntry } from './lib/schema';
import { loadAverage, machineInfo, type StageOptions } from './lib/stats';

/** Stages in the order they run. Add a stage by adding a module and a line here. */
const STAGES: Record<string, (opts: StageOptions) => Promise<StageData>> = {
  decode: async (o) => (await import('./decode')).run(o),
  flow: async (o) => (await import('./flow-browser')).run(o, await (await import('./flow')).run(o)),
  i3d: async (o) => (await import('./i3d')).run(o),
  e2e: async (o) => (await import('./e2e')).run(o),
  memory: async (o) => (await import('./memory')).run(o),
  gpu: async (o) => (await import('./gpu-stage')).run(o),
  chunks: async (o) => (await import('./chunks')).run(o),
};
/** Stages run only when named (long, for one question each). */
const ON_REQUEST = new Set(['chunks']);

const DEFAULT_OUT = join(ROOT, 'bench', 'results.json');

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      runs: { type: 'string' },
      out: { type: 'string', default: DEFAULT_OUT },
      'no-chart': { type: 'boolean', default: false },
      'render-only': { type: 'boolean', default: false },
    },
  });
  const names = positionals.length > 0 ? positionals : Object.keys(STAGES).filter((n) => !ON_REQUEST.has(n));
  for (const n of names) if (!STAGES[n]) throw new Error(`unknown stage ${n}; known: ${Object.keys(STAGES).join(', ')}`);
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const outPath = resolve(values.out);
  const isDefaultOut = outPath === DEFAULT_OUT;
  const chartPath = isDefaultOut ? join(ROOT, 'docs', 'bench.png') : join(dirname(outPath), 'bench.png');
  if (values['render-only']) {
    await writeReports(JSON.parse(readFileSync(outPath, 'utf8')) as BenchResults, outPath, values['no-chart'] ? null : chartPath);
    return;
  }
  const opts: StageOptions = {
    quick: values.quick,
    dryRun: values['dry-run'],
    runs,
    workDir: isDefaultOut ? join(ROOT, 'bench', 'out') : join(dirname(outPath), 'work'),
  };
  mkdirSync(opts.workDir, { recursive: true });
  const mode: StageEntry['mode'] = opts.dryRun ? 'dry-run' : opts.quick ? 'quick' : 'full';

  let previous: Partial<BenchResults> = {};
  if (existsSync(outPath)) {
    const p = JSON.parse(readFileSync(outPath, 'utf8')) as Partial<BenchResults>;
    if (p.schema === 1) previous = p;
  }
  const results: BenchResults = {
    schema: 1,
    machine: { ...machineInfo(), loadAverageAtStart: loadAverage() },
    versions: versions(),
    source: sourceState(),
    stages: { ...(previous.stages ?? {}) },
  };
  console.log(`bench (${mode}): ${names.join(', ')}; load average ${loadAverage().join(' ')}`);
  // measure the current sources (a dry run builds only what a stage opens, and only when missing or stale)
  if (!opts.dryRun) ensureFreshBuild();
  await buildWasm({ quiet: true }); // the Node flow pool's kernels
  for (const name of names) {
    const startedAt = new Date().toISOString();
    const loadBefore = loadAverage();
    const t0 = performance.now();
    console.log(`\n== ${name} ==`);
    const data = await STAGES[name](opts);
    const entry: StageEntry = {
      ...data,
      mode,
      seconds: Math.round((performance.now() - t0) / 1000),
      startedAt,
      loadBefore,
      loadAfter: loadAverage(),
      source: results.source,
    };
    results.stages[name] = entry;
    console.log(stageTable(name, entry));
    // write after every stage: a later failure keeps what was measured
    mkdirSync(dirname(outPath), { recursive: true });
    writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
  }
  results.machine.loadAverageAtEnd = loadAverage();
  writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${outPath}`);
  await writeReports(results, outPath, values['no-chart'] ? null : chartPath);
}

async function writeReports(results: BenchResults, outPath: string, chartPath: string | null): Promise<void> {
  const mdPath = outPath.replace(/\.json$/, '') + '.md';
  writeFileSync(mdPath, markdownReport(results));
  console.log(`wrote ${mdPath}`);
  if (chartPath) {
    await renderChart(results, chartPath);
    console.log(`wrote ${chartPath}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
