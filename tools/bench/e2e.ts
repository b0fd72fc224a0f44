/**
 * Benchmark stage `e2e`: whole videos, RGB + flow streams, published-width random-weight checkpoints —
 * `npm run extract` (the app, q8 by default as in the app, WASM/CPU here unless a hardware WebGPU adapter
 * exists) against tools/reference/pipeline.py (ffmpeg CLI, OpenCV TV-L1, PyTorch fp32, same thread count):
 * - the fixture and a generated 20-s clip: wall time of each command, peak memory (the fixture), where the time
 *   went (meta.json of each side), and the app's efficiency: its extraction's wall time over its stages' work
 *   run back to back (1 = no idle core and no overlap; below 1, stages overlapped);
 * - a batch of generated short clips (24–50 frames) in one command each: the whole batch's wall time, and each
 *   clip's time in the app against its work alone (the per-video overhead of a queue).
 * The runs alternate app, reference, app, reference, … so slow drifts in the machine's load hit both.
 */
import { cpus } from 'node:os';
import { appWorkParts, appWorkSeconds, runAppExtract, runReferencePipeline, type CommandRun, type ExtractArgs } from './lib/commands';
import { FIXTURE } from './lib/env';
import { checkpoint } from './lib/models';
import { ratio, type Figure, type Ratio, type StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';
import { syntheticVideo } from './lib/videos';

interface Config {
  divisor: 1 | 8;
  maxFrames?: number;
  runs: number;
  /** Clips in the short-clip batch. */
  batchClips: number;
}

function config(opts: StageOptions): Config {
  if (opts.dryRun) return { divisor: 8, maxFrames: 5, runs: opts.runs ?? 1, batchClips: 2 };
  if (opts.quick) return { divisor: 1, maxFrames: 17, runs: opts.runs ?? 2, batchClips: 5 };
  return { divisor: 1, runs: opts.runs ?? 3, batchClips: 20 };
}

/** The generated 20-s clip: testsrc2 at 480×360 (decoded at 341×256), 25 fps, 500 frames. */
const CLIP20 = { width: 480, height: 360, fps: 25, seconds: 20 };

/**
 * The short clips of the batch: 24 to 50 frames at 25 fps, lengths spread evenly, three frame sizes in turn
 * (decoded at 341×256 and 455×256), so that no two share a length and the per-video costs show.
 */
export function shortClips(count: number): { width: number; height: number; fps: number; seconds: number; frames: number }[] {
  const sizes = [
    [320, 240],
    [480, 360],
    [640, 360],
  ];
  return Array.from({ length: count }, (_, i) => {
    const frames = 24 + Math.round(count > 1 ? (i * 26) / (count - 1) : 0);
    const [width, height] = sizes[i % sizes.length];
    return { width, height, fps: 25, seconds: frames / 25, frames };
  });
}

/**
 * The stage breakdown of each side's runs, from its meta.json (medians over the runs), printed as one line per side.
 * App: what the orchestrating thread spent waiting for decoded frames and for flow, in I3D per stream, preparing
 * inputs and writing rows (flow and decoding run in other workers meanwhile, so a wait is the part not hidden).
 * Reference: its sequential steps (decode, flow, model per stream).
 */
function stageFigures(prefix: string, runs: CommandRun[], side: 'app' | 'reference', input: string, params: Figure['params']): Figure[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.stages ?? {})))].filter((n) => !['count', 'total', 'extract'].includes(n));
  const figures = names.map((n) =>
    figure(
      `${prefix}.${side}.stage.${n}`,
      `${side}: seconds in "${n}", ${input}`,
      'info',
      's',
      runs.map((r) => r.stages?.[n] ?? 0),
      params,
    ),
  );
  console.log(`${prefix} ${side} stages (median s): ${figures.map((f) => `${f.id.split('.').pop()} ${f.median.toFixed(1)}`).join(', ') || 'none recorded'}`);
  return figures;
}

/**
 * Where each side's wall time went, as parts that add up to it (medians over the runs; the chart stacks them).
 * App: starting Chromium and importing the models (and sending the files back) — the command's wall time less
 * the video's —, counting frames, the stages' work (decoder, flow workers over their number, I3D per stream,
 * preparing and writing) and what the extraction spent beyond that work (waits not hidden by overlap; negative
 * when stages overlapped). Reference: loading the models, its steps, and the rest (Python start, writing).
 */
function partFigures(prefix: string, app: CommandRun[], ref: CommandRun[], input: string, params: Figure['params']): Figure[] {
  const appParts = app.map((r) => {
    const v = r.videos[0];
    const work = appWorkParts(v) ?? { decode: 0, flow: 0, i3d_rgb: 0, i3d_flow: 0, 'prepare+write': 0 };
    const seconds = (k: string) => v?.seconds[k] ?? 0;
    return {
      startup: r.wallSeconds - seconds('total'),
      count: seconds('count'),
      ...work,
      'not overlapped': seconds('extract') - Object.values(work).reduce((a, x) => a + x, 0),
      'bundle+meta': seconds('total') - seconds('count') - seconds('extract'),
    };
  });
  const refParts = ref.map((r) => {
    const s = r.videos[0]?.seconds ?? {};
    const load = Object.entries(s)
      .filter(([k]) => k.startsWith('load_'))
      .reduce((a, [, x]) => a + x, 0);
    const parts: Record<string, number> = { load, decode: s.decode ?? 0, flow: s.flow ?? 0, model_rgb: s.model_rgb ?? 0, model_flow: s.model_flow ?? 0 };
    parts.rest = r.wallSeconds - Object.values(parts).reduce((a, x) => a + x, 0);
    return parts;
  });
  const figs = (side: 'app' | 'reference', rows: Record<string, number>[]) =>
    Object.keys(rows[0] ?? {}).map((k) =>
      figure(
        `${prefix}.${side}.part.${k}`,
        `${side}: wall time in "${k}", ${input}`,
        'info',
        's',
        rows.map((p) => p[k]),
        params,
      ),
    );
  return [...figs('app', appParts), ...figs('reference', refParts)];
}

/** `runs` runs of each side, alternating app and reference (slow drifts in the machine's load hit both); `check` each pair. */
async function alternate(
  prefix: string,
  args: ExtractArgs,
  runs: number,
  threads: number,
  check: (app: CommandRun, ref: CommandRun) => void,
): Promise<{ app: CommandRun[]; ref: CommandRun[] }> {
  const app: CommandRun[] = [];
  const ref: CommandRun[] = [];
  for (let r = 0; r < runs; r++) {
    app.push(await runAppExtract(args));
    console.log(`${prefix} app run ${r + 1}: ${app[r].wallSeconds.toFixed(1)} s, Chromium peak ${app[r].peakSumPssMiB} MiB`);
    ref.push(await runReferencePipeline(args, threads));
    console.log(`${prefix} reference run ${r + 1}: ${ref[r].wallSeconds.toFixed(1)} s, peak ${ref[r].peakSumPssMiB} MiB`);
    check(app[r], ref[r]);
  }
  return { app, ref };
}

interface ClipMeasure {
  figures: Figure[];
  ratios: Ratio[];
  app: CommandRun[];
  reference: CommandRun[];
}

/** One whole video, `runs` times each side: wall time, memory (with `memory`), stages, parts and efficiency. */
async function measureClip(prefix: string, input: string, args: ExtractArgs, cfg: Config, threads: number, memory: boolean): Promise<ClipMeasure> {
  const { app, ref } = await alternate(prefix, args, cfg.runs, threads, (a, r) => {
    if (a.steps !== r.steps) throw new Error(`the app wrote ${a.steps} feature steps, the reference ${r.steps}`);
  });
  const params = { input, streams: 'rgb+flow', threads, width: cfg.divisor === 1 ? 'published' : `1/${cfg.divisor}` };
  const appWall = figure(
    `${prefix}.app.wall`,
    `npm run extract (app in Chromium, q8), ${input}`,
    'app',
    's',
    app.map((x) => x.wallSeconds),
    { ...params, dtype: 'q8' },
  );
  const refWall = figure(
    `${prefix}.reference.wall`,
    `tools/reference/pipeline.py (ffmpeg + OpenCV + PyTorch fp32, ${threads} threads), ${input}`,
    'reference',
    's',
    ref.map((x) => x.wallSeconds),
    { ...params, dtype: 'fp32' },
  );
  const appInner = figure(
    `${prefix}.app.extract`,
    `app: the extraction itself, in the page (after model import), ${input}`,
    'info',
    's',
    app.map((x) => x.extractSeconds ?? 0),
    params,
  );
  const works = app.map((x) => appWorkSeconds(x.videos[0]));
  const efficiency: Figure[] = [];
  if (works.every((w): w is number => w !== null && w > 0)) {
    efficiency.push(
      figure(
        `${prefix}.app.work`,
        `app: the stages' work back to back (decoder + flow workers / their number + I3D + prepare + write), ${input}`,
        'info',
        's',
        works,
        params,
      ),
      figure(
        `${prefix}.app.efficiency`,
        `app: efficiency, the extraction's wall time / its stages' work back to back (goal ≤ 1.15), ${input}`,
        'info',
        '×',
        app.map((x, i) => (x.videos[0]?.seconds.extract ?? 0) / works[i]!),
        params,
      ),
    );
  }
  const figures = [appWall, refWall, appInner, ...efficiency];
  const ratios = [ratio(`${prefix}.wall`, `end to end (${input}): npm run extract / pipeline.py wall time`, appWall, refWall)];
  if (memory) {
    const appMem = figure(
      `${prefix}.app.memory`,
      `app: peak summed PSS of Chromium's processes, ${input}`,
      'app',
      'MiB',
      app.map((x) => x.peakSumPssMiB),
      params,
    );
    const refMem = figure(
      `${prefix}.reference.memory`,
      `reference: peak summed PSS of python + ffmpeg, ${input}`,
      'reference',
      'MiB',
      ref.map((x) => x.peakSumPssMiB),
      params,
    );
    figures.push(
      appMem,
      figure(
        `${prefix}.app.memory-extraction`,
        `app: peak summed PSS of Chromium's processes during the extraction (after model import), ${input}`,
        'info',
        'MiB',
        app.map((x) => x.extraction?.peakSumPssMiB ?? 0),
        params,
      ),
      figure(
        `${prefix}.app.renderer`,
        `app: peak resident size (VmHWM) of the page's renderer process, ${input}`,
        'info',
        'MiB',
        app.map((x) => x.rendererHwmMiB ?? 0),
        params,
      ),
      refMem,
      figure(
        `${prefix}.reference.maxrss`,
        `reference: maximum resident set size of python (/usr/bin/time), ${input}`,
        'info',
        'MiB',
        ref.map((x) => x.timeMaxRssMiB ?? 0),
        params,
      ),
    );
    ratios.push(ratio(`${prefix}.memory`, `end to end (${input}): peak memory, Chromium processes / python + ffmpeg`, appMem, refMem));
  }
  figures.push(
    ...stageFigures(prefix, app, 'app', input, params),
    ...stageFigures(prefix, ref, 'reference', input, params),
    ...partFigures(prefix, app, ref, input, params),
  );
  return { figures, ratios, app, reference: ref };
}

/** The short-clip batch: one command per side for all the clips, `runs` times. */
async function measureBatch(cfg: Config, threads: number, rgb: string, flow: string): Promise<ClipMeasure> {
  const clips = shortClips(cfg.batchClips);
  const videos = clips.map((c) => syntheticVideo(c));
  const args: ExtractArgs = { video: videos, rgb, flow };
  const input = `${clips.length} generated clips of ${clips[0].frames}–${clips[clips.length - 1].frames} frames (${clips.reduce((a, c) => a + c.frames, 0)} in all)`;
  const { app, ref } = await alternate('e2e.batch', args, cfg.runs, threads, (a, r) => {
    for (const side of [a, r]) if (side.videos.length !== clips.length) throw new Error(`a batch run wrote ${side.videos.length} of ${clips.length} videos`);
  });
  const params = { input, streams: 'rgb+flow', threads, width: cfg.divisor === 1 ? 'published' : `1/${cfg.divisor}` };
  const appWall = figure(
    'e2e.batch.app.wall',
    `npm run extract on all the clips (app in Chromium, q8), ${input}`,
    'app',
    's',
    app.map((x) => x.wallSeconds),
    { ...params, dtype: 'q8' },
  );
  const refWall = figure(
    'e2e.batch.reference.wall',
    `tools/reference/pipeline.py on all the clips, models loaded once (${threads} threads), ${input}`,
    'reference',
    's',
    ref.map((x) => x.wallSeconds),
    { ...params, dtype: 'fp32' },
  );
  const clipRuns = app.flatMap((x) => x.videos);
  const perClip = clipRuns.map((v) => v.cliSeconds ?? NaN);
  const work = clipRuns.map((v) => appWorkSeconds(v) ?? NaN);
  const figures = [appWall, refWall];
  figures.push(
    figure(
      'e2e.batch.app.clip',
      `app: seconds per clip in the batch (the CLI's time for it: upload, extraction, files back), ${input}`,
      'info',
      's',
      perClip,
      params,
    ),
    figure(
      'e2e.batch.app.startup',
      `app: the batch's wall time less its clips' (Chromium start, model import and conversion), ${input}`,
      'info',
      's',
      app.map((x) => x.wallSeconds - x.videos.reduce((a, v) => a + (v.cliSeconds ?? 0), 0)),
      params,
    ),
    figure(
      'e2e.batch.reference.load',
      `reference: loading both models, once for the batch, ${input}`,
      'info',
      's',
      ref.map((x) => Object.values(x.loadSeconds ?? {}).reduce((a, s) => a + s, 0)),
      params,
    ),
  );
  if (work.every((w) => w > 0)) {
    figures.push(
      figure(
        'e2e.batch.app.clip-work',
        `app: a clip's work alone (decoder + flow workers / their number + I3D + prepare + write), ${input}`,
        'info',
        's',
        work,
        params,
      ),
      figure(
        'e2e.batch.app.clip-overhead',
        `app: a clip's time in the batch / its work alone (goal ≤ 1.5), ${input}`,
        'info',
        '×',
        perClip.map((s, i) => s / work[i]),
        params,
      ),
    );
  }
  return {
    figures,
    ratios: [ratio('e2e.batch.wall', `batch (${input}): npm run extract / pipeline.py wall time, models loaded once`, appWall, refWall)],
    app,
    reference: ref,
  };
}

export async function run(opts: StageOptions): Promise<StageData> {
  const cfg = config(opts);
  const threads = cpus().length;
  const rgb = await checkpoint('rgb', cfg.divisor);
  const flow = await checkpoint('flow', cfg.divisor);
  const first = cfg.maxFrames ? `, first ${cfg.maxFrames} frames` : '';
  const fixture = await measureClip(
    'e2e',
    cfg.maxFrames ? `fixture${first}` : 'fixture, all 355 frames',
    { video: FIXTURE, rgb, flow, maxFrames: cfg.maxFrames },
    cfg,
    threads,
    true,
  );
  const clip20 = await measureClip(
    'e2e.clip20',
    `testsrc2 ${CLIP20.width}×${CLIP20.height} ${CLIP20.seconds} s at ${CLIP20.fps} fps${first || `, all ${CLIP20.seconds * CLIP20.fps} frames`}`,
    { video: syntheticVideo(CLIP20), rgb, flow, maxFrames: cfg.maxFrames },
    cfg,
    threads,
    false,
  );
  const batch = await measureBatch(cfg, threads, rgb, flow);
  const parts = [fixture, clip20, batch];
  return {
    figures: parts.flatMap((p) => p.figures),
    ratios: parts.flatMap((p) => p.ratios),
    skipped: cfg.maxFrames
      ? [`whole videos (this mode uses the first ${cfg.maxFrames} frames of the fixture and the 20-s clip, and ${cfg.batchClips} short clips)`]
      : [],
    method: [
      `Inputs: the fixture and a generated 20-s clip (testsrc2 ${CLIP20.width}×${CLIP20.height}, ${CLIP20.fps} fps, libx264), each as one video; and a batch of ${cfg.batchClips} generated short clips (24–50 frames, 320×240, 480×360 and 640×360 in turn) in one command. RGB and flow streams, random-weight checkpoints (${cfg.divisor === 1 ? 'published' : `1/${cfg.divisor}`} width, 400 classes).`,
      'App: `npm run extract -- VIDEO… --rgb … --flow … --force` (tools/cli/extract.ts with tsx: starts a local server and headless Chromium, imports and converts both checkpoints in the page once, extracts each video with the pipeline worker — default q8 and auto backend —, downloads the files); wall time from process start to exit. Memory (fixture): every 200 ms or more (the sampler keeps to 5% of a core: tools/bench/lib/procs.ts) the PSS (proportional set size, /proc/PID/smaps_rollup: shared pages split between the processes that map them) of all Chromium processes (browser, renderer with the page and its workers, GPU, utility, zygote) is summed; the figure is the largest sum. The renderer’s own VmHWM (peak RSS) is shown too; summed RSS, which counts the shared Chromium binary once per process, is in details.',
      `Reference: \`python3 tools/reference/pipeline.py VIDEO… --rgb … --flow … --threads ${threads}\` (ffmpeg CLI decode, OpenCV TV-L1, PyTorch fp32 one pass per stream; the models loaded once per command) under /usr/bin/time; wall time from process start to exit. Memory: the same sampled PSS sum over python and its ffmpeg child; /usr/bin/time’s maximum RSS shown too.`,
      "Efficiency (app): the extraction's wall time (meta.json `seconds.extract`) over its stages' work back to back: the decoder's busy seconds (its waits for the consumer left out) + the CPU flow workers' summed compute seconds / their number + each I3D stream's passes + preparing inputs + writing rows (meta.json `busySeconds` and `stageSeconds`). 1.0 means stages one after another with no idle core; below 1, they overlapped. Parts: each side's wall time split into what it went to (figures `…part.*`).",
      "Batch: the whole command's wall time on both sides; each clip's time in the app (the CLI's seconds for it: upload, extraction, files back) against that clip's work alone (as above); the app's startup (Chromium, model import and conversion) is the batch's wall time less its clips'.",
      `Runs alternate app and reference; ${cfg.runs} of each per input. The app’s and the reference’s feature step counts are checked equal.`,
    ],
    details: {
      fixture: { app: fixture.app, reference: fixture.reference },
      clip20: { app: clip20.app, reference: clip20.reference },
      batch: { app: batch.app, reference: batch.reference },
    },
  };
}
