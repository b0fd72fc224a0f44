/**
 * Benchmark stage `e2e`: the fixture video, RGB + flow streams, published-width random-weight checkpoints —
 * `npm run extract` (the app, q8 by default as in the app, WASM/CPU here unless a hardware WebGPU adapter
 * exists) against tools/reference/pipeline.py (ffmpeg CLI, OpenCV TV-L1, PyTorch fp32, same thread count):
 * wall time of each command and peak memory of each (see lib/commands.ts for exactly which processes).
 * The runs alternate app, reference, app, reference, … so slow drifts in the machine's load hit both.
 */
import { cpus } from 'node:os';
import { runAppExtract, runReferencePipeline, type CommandRun, type ExtractArgs } from './lib/commands';
import { FIXTURE } from './lib/env';
import { checkpoint } from './lib/models';
import { ratio, type Figure, type StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';

function config(opts: StageOptions): { divisor: 1 | 8; maxFrames?: number; runs: number } {
  if (opts.dryRun) return { divisor: 8, maxFrames: 5, runs: opts.runs ?? 1 };
  if (opts.quick) return { divisor: 1, maxFrames: 17, runs: opts.runs ?? 2 };
  return { divisor: 1, runs: opts.runs ?? 3 };
}

/**
 * The stage breakdown of each side's runs, from its meta.json (medians over the runs), printed as one line per side.
 * App: what the orchestrating thread spent waiting for decoded frames and for flow, in I3D per stream, preparing
 * inputs and writing rows (flow and decoding run in other workers meanwhile, so a wait is the part not hidden).
 * Reference: its sequential steps (decode, flow, model per stream).
 */
function stageFigures(runs: CommandRun[], side: 'app' | 'reference', input: string, params: Figure['params']): Figure[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.stages ?? {})))].filter((n) => !['count', 'total', 'extract'].includes(n));
  const figures = names.map((n) =>
    figure(
      `e2e.${side}.stage.${n}`,
      `${side}: seconds in "${n}", ${input}`,
      'info',
      's',
      runs.map((r) => r.stages?.[n] ?? 0),
      params,
    ),
  );
  console.log(`e2e ${side} stages (median s): ${figures.map((f) => `${f.id.split('.').pop()} ${f.median.toFixed(1)}`).join(', ') || 'none recorded'}`);
  return figures;
}

export async function run(opts: StageOptions): Promise<StageData> {
  const cfg = config(opts);
  const threads = cpus().length;
  const args: ExtractArgs = {
    video: FIXTURE,
    rgb: await checkpoint('rgb', cfg.divisor),
    flow: await checkpoint('flow', cfg.divisor),
    maxFrames: cfg.maxFrames,
  };
  const app: CommandRun[] = [];
  const ref: CommandRun[] = [];
  for (let r = 0; r < cfg.runs; r++) {
    app.push(await runAppExtract(args));
    console.log(`e2e app run ${r + 1}: ${app[r].wallSeconds.toFixed(1)} s, Chromium peak ${app[r].peakSumPssMiB} MiB`);
    ref.push(await runReferencePipeline(args, threads));
    console.log(`e2e reference run ${r + 1}: ${ref[r].wallSeconds.toFixed(1)} s, peak ${ref[r].peakSumPssMiB} MiB`);
    if (app[r].steps !== ref[r].steps) throw new Error(`the app wrote ${app[r].steps} feature steps, the reference ${ref[r].steps}`);
  }
  const input = cfg.maxFrames ? `fixture, first ${cfg.maxFrames} frames` : 'fixture, all 355 frames';
  const params = { input, streams: 'rgb+flow', threads, width: cfg.divisor === 1 ? 'published' : `1/${cfg.divisor}` };
  const appWall = figure(
    'e2e.app.wall',
    `npm run extract (app in Chromium, q8), ${input}`,
    'app',
    's',
    app.map((x) => x.wallSeconds),
    { ...params, dtype: 'q8' },
  );
  const refWall = figure(
    'e2e.reference.wall',
    `tools/reference/pipeline.py (ffmpeg + OpenCV + PyTorch fp32, ${threads} threads), ${input}`,
    'reference',
    's',
    ref.map((x) => x.wallSeconds),
    { ...params, dtype: 'fp32' },
  );
  const appInner = figure(
    'e2e.app.extract',
    `app: the extraction itself, in the page (after model import), ${input}`,
    'info',
    's',
    app.map((x) => x.extractSeconds ?? 0),
    params,
  );
  const appMem = figure(
    'e2e.app.memory',
    `app: peak summed PSS of Chromium's processes, ${input}`,
    'app',
    'MiB',
    app.map((x) => x.peakSumPssMiB),
    params,
  );
  const appRenderer = figure(
    'e2e.app.renderer',
    `app: peak resident size (VmHWM) of the page's renderer process, ${input}`,
    'info',
    'MiB',
    app.map((x) => x.rendererHwmMiB ?? 0),
    params,
  );
  const appMemExtract = figure(
    'e2e.app.memory-extraction',
    `app: peak summed PSS of Chromium's processes during the extraction (after model import), ${input}`,
    'info',
    'MiB',
    app.map((x) => x.extraction?.peakSumPssMiB ?? 0),
    params,
  );
  const refMem = figure(
    'e2e.reference.memory',
    `reference: peak summed PSS of python + ffmpeg, ${input}`,
    'reference',
    'MiB',
    ref.map((x) => x.peakSumPssMiB),
    params,
  );
  const refMaxRss = figure(
    'e2e.reference.maxrss',
    `reference: maximum resident set size of python (/usr/bin/time), ${input}`,
    'info',
    'MiB',
    ref.map((x) => x.timeMaxRssMiB ?? 0),
    params,
  );
  const stages = [...stageFigures(app, 'app', input, params), ...stageFigures(ref, 'reference', input, params)];
  return {
    figures: [appWall, refWall, appInner, appMem, appMemExtract, appRenderer, refMem, refMaxRss, ...stages],
    ratios: [
      ratio('e2e.wall', `end to end (${input}): npm run extract / pipeline.py wall time`, appWall, refWall),
      ratio('e2e.memory', `end to end (${input}): peak memory, Chromium processes / python + ffmpeg`, appMem, refMem),
    ],
    skipped: cfg.maxFrames ? [`the whole fixture (this mode uses the first ${cfg.maxFrames} frames)`] : [],
    method: [
      `Input: ${input}, RGB and flow streams, random-weight checkpoints (${params.width} width, 400 classes).`,
      'App: `npm run extract -- VIDEO --rgb … --flow … --force` (tools/cli/extract.ts with tsx: starts a local server and headless Chromium, imports and converts both checkpoints in the page, extracts with the pipeline worker — default q8 and auto backend —, downloads the files); wall time from process start to exit. Memory: every 200 ms the PSS (proportional set size, /proc/PID/smaps_rollup: shared pages split between the processes that map them) of all Chromium processes (browser, renderer with the page and its workers, GPU, utility, zygote) is summed; the figure is the largest sum. The renderer’s own VmHWM (peak RSS) is shown too; summed RSS, which counts the shared Chromium binary once per process, is in details.',
      `Reference: \`python3 tools/reference/pipeline.py VIDEO --rgb … --flow … --threads ${threads}\` (ffmpeg CLI decode, OpenCV TV-L1, PyTorch fp32 one pass) under /usr/bin/time; wall time from process start to exit. Memory: the same 200 ms sampled PSS sum over python and its ffmpeg child; /usr/bin/time’s maximum RSS shown too.`,
      `Runs alternate app and reference; ${cfg.runs} of each. The app’s and the reference’s feature step counts are checked equal.`,
    ],
    details: { app, reference: ref },
  };
}
