/**
 * The two whole-pipeline commands, each run under the /proc memory sampler (procs.ts):
 * - the app: `npm run extract` (tools/cli/extract.ts run with the project's tsx: the built app in headless
 *   Chromium, models imported and converted in the page, the video extracted by the pipeline worker, the files
 *   downloaded); memory = Chromium's processes (browser, renderer — the page and its workers —, GPU, utility,
 *   zygote), not the Node process that drives them;
 * - the reference: tools/reference/pipeline.py under /usr/bin/time; memory = the Python process and its ffmpeg
 *   child.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PYTHON, ROOT, TSX } from './env';
import { runSampled, type GroupMemory } from './procs';

export interface CommandRun {
  wallSeconds: number;
  /** Peak of the summed PSS of the counted processes (MiB). */
  peakSumPssMiB: number;
  /** Peak of the summed RSS (shared pages counted in every process). */
  peakSumRssMiB: number;
  /** Largest per-process VmHWM among the counted processes, and which kind of process it was. */
  largestProcess: { kind: string; hwmMiB: number };
  /** Largest VmHWM of a Chromium renderer process (app only). */
  rendererHwmMiB?: number;
  /**
   * App only: the same peaks from the first progress line on (the video's extraction, after the models are
   * imported and converted), the renderers' VmHWM reset at that moment; `atSeconds`: when that was.
   */
  extraction?: { atSeconds: number; peakSumPssMiB: number; rendererHwmMiB: number };
  /** /usr/bin/time's maximum resident set size (reference only). */
  timeMaxRssMiB?: number;
  /** Seconds the app reports for the extraction itself (page side, after model import). */
  extractSeconds?: number;
  /** Feature steps written (meta.json). */
  steps: number;
  /**
   * Where the time went, from meta.json: the app's orchestrating thread (waiting for decoded frames, waiting for
   * flow, I3D per stream, preparing inputs, writing rows); the reference's steps (decode, flow, model per stream).
   */
  stages?: Record<string, number>;
  /** Reference with several videos: the seconds it spent loading each model (once for all). */
  loadSeconds?: Record<string, number>;
  /** Every video of the run (a batch has several): its timings from meta.json, and the CLI's seconds for it (app). */
  videos: VideoRun[];
  samples: number;
  /** Seconds the memory sampler spent reading /proc during the run (lib/procs.ts keeps it to a small share of a core). */
  samplerSeconds: number;
}

/** The timing parts of one video's meta.json (the app's or the reference's), and what the CLI said of it. */
export interface VideoRun {
  name: string;
  decodedFrames: number;
  /** App: count, extract, total; reference: decode, flow, model_<stream>, load_<stream> (one video). */
  seconds: Record<string, number>;
  stageSeconds?: Record<string, number>;
  busySeconds?: { decode?: number; flow?: number; flowWorkers?: number };
  /** App only: the CLI's seconds for this video (upload, extraction, files back), from its --json line. */
  cliSeconds?: number;
}

interface MetaJson {
  steps: unknown[];
  decodedFrames?: number;
  video?: { decodedFrames: number };
  seconds?: Record<string, number>;
  stageSeconds?: Record<string, number>;
  busySeconds?: VideoRun['busySeconds'];
}

/** meta.json of every video under `out` (out/<name>/meta.json), by folder name. */
function readMetas(out: string): Map<string, MetaJson> {
  const metas = new Map<string, MetaJson>();
  for (const name of readdirSync(out).sort()) {
    const p = join(out, name, 'meta.json');
    if (existsSync(p)) metas.set(name, JSON.parse(readFileSync(p, 'utf8')) as MetaJson);
  }
  return metas;
}

function videoRun(name: string, m: MetaJson, cliSeconds?: number): VideoRun {
  return {
    name,
    decodedFrames: m.video?.decodedFrames ?? m.decodedFrames ?? 0,
    seconds: m.seconds ?? {},
    ...(m.stageSeconds ? { stageSeconds: m.stageSeconds } : {}),
    ...(m.busySeconds ? { busySeconds: m.busySeconds } : {}),
    ...(cliSeconds !== undefined ? { cliSeconds } : {}),
  };
}

/**
 * The app's work on one video, in seconds, by stage: the decoder's busy time, the flow workers' summed compute time
 * over their number (they run in parallel; 0 without a flow stream), each I3D stream's passes, and preparing inputs
 * and writing rows. Null when meta.json lacks the decoder's or (with a flow stream) the flow's figure.
 */
export function appWorkParts(v: VideoRun | undefined): Record<'decode' | 'flow' | 'i3d_rgb' | 'i3d_flow' | 'prepare+write', number> | null {
  const b = v?.busySeconds;
  const s = v?.stageSeconds;
  if (!b || b.decode === undefined || !s) return null;
  const flow = s.i3d_flow !== undefined ? (b.flow !== undefined && b.flowWorkers ? b.flow / b.flowWorkers : null) : 0;
  if (flow === null) return null;
  return { decode: b.decode, flow, i3d_rgb: s.i3d_rgb ?? 0, i3d_flow: s.i3d_flow ?? 0, 'prepare+write': (s.prepare ?? 0) + (s.write ?? 0) };
}

/** The app's work on one video were its stages run one after another with nothing idle (appWorkParts summed). */
export function appWorkSeconds(v: VideoRun | undefined): number | null {
  const parts = appWorkParts(v);
  return parts ? Object.values(parts).reduce((a, x) => a + x, 0) : null;
}

function largest(g: GroupMemory | undefined): { kind: string; hwmMiB: number } {
  const p = g?.processes[0];
  return p ? { kind: p.kind, hwmMiB: p.hwmMiB } : { kind: 'none', hwmMiB: 0 };
}

export interface ExtractArgs {
  /** One video, or several (a batch: one command for all of them, the models loaded once). */
  video: string | string[];
  rgb?: string;
  flow?: string;
  fps?: number;
  maxFrames?: number;
  dtype?: string;
  /** App only: --chunk FRAMES. */
  chunk?: number;
  /** App only: --memory-budget SIZE. */
  memoryBudget?: string;
}

function commonArgs(a: ExtractArgs): string[] {
  return [
    ...(a.rgb ? ['--rgb', a.rgb] : []),
    ...(a.flow ? ['--flow', a.flow] : []),
    ...(a.fps !== undefined ? ['--fps', String(a.fps)] : []),
    ...(a.maxFrames !== undefined ? ['--max-frames', String(a.maxFrames)] : []),
  ];
}

export async function runAppExtract(a: ExtractArgs): Promise<CommandRun> {
  const out = mkdtempSync(join(tmpdir(), 'bench-app-'));
  try {
    const args = [
      join(ROOT, 'tools/cli/extract.ts'),
      ...[a.video].flat(),
      '--out',
      out,
      ...commonArgs(a),
      '--force',
      '--json',
      ...(a.dtype ? ['--dtype', a.dtype] : []),
      ...(a.chunk !== undefined ? ['--chunk', String(a.chunk)] : []),
      ...(a.memoryBudget !== undefined ? ['--memory-budget', a.memoryBudget] : []),
    ];
    const r = await runSampled(TSX, args, (argv) => (/chrom/i.test(argv[0] ?? '') ? 'chromium' : 'driver'), {
      cwd: ROOT,
      // extract.ts prints the page's progress lines ("NAME: count", "NAME: decoded …", on stderr) once the models are in
      markWhen: (output) => /: (count|decoded \d|bundle)/.test(output),
    });
    if (r.code !== 0) throw new Error(`npm run extract failed (${r.code}): ${r.stderr.slice(-3000)}`);
    // --json: one object per video on stdout
    const done = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"status":"done"'))
      .map((l) => JSON.parse(l) as { seconds: number; steps: number; out: string });
    const count = [a.video].flat().length;
    if (done.length !== count) throw new Error(`npm run extract finished ${done.length} of ${count} videos: ${r.stdout.slice(-2000)}`);
    const summary = done[0];
    const chromium = r.groups.chromium;
    const rendererPeak = (g: GroupMemory | undefined) => Math.max(0, ...(g?.processes.filter((p) => p.kind === 'renderer').map((p) => p.hwmMiB) ?? []));
    const during = r.afterMark?.chromium;
    const metas = readMetas(out);
    const cli = new Map(done.map((d) => [basename(d.out), d.seconds]));
    const videos = [...metas].map(([name, m]) => videoRun(name, m, cli.get(name)));
    const stages = videos[0]?.stageSeconds;
    return {
      wallSeconds: r.wallSeconds,
      peakSumPssMiB: chromium?.peakSumPssMiB ?? 0,
      peakSumRssMiB: chromium?.peakSumRssMiB ?? 0,
      largestProcess: largest(chromium),
      rendererHwmMiB: rendererPeak(chromium),
      ...(during && r.markSeconds !== null
        ? { extraction: { atSeconds: r.markSeconds, peakSumPssMiB: during.peakSumPssMiB, rendererHwmMiB: rendererPeak(during) } }
        : {}),
      extractSeconds: summary.seconds,
      steps: summary.steps,
      ...(stages ? { stages } : {}),
      videos,
      samples: r.samples,
      samplerSeconds: r.samplerSeconds,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function runReferencePipeline(a: ExtractArgs, threads: number): Promise<CommandRun> {
  const out = mkdtempSync(join(tmpdir(), 'bench-ref-'));
  try {
    const timeFile = join(out, 'time.txt');
    const args = [
      '-f',
      '%e %M',
      '-o',
      timeFile,
      PYTHON,
      join(ROOT, 'tools/reference/pipeline.py'),
      ...[a.video].flat(),
      '--out',
      join(out, 'r'),
      ...commonArgs(a),
      '--threads',
      String(threads),
    ];
    const r = await runSampled('/usr/bin/time', args, (argv) => (/python|ffmpeg/.test(argv[0] ?? '') ? 'python' : null), { cwd: ROOT });
    if (r.code !== 0) throw new Error(`pipeline.py failed (${r.code}): ${r.stderr.slice(-3000)}`);
    const [, maxKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
    // one video: out/r/meta.json; several: out/r/<name>/meta.json
    const metas = existsSync(join(out, 'r', 'meta.json'))
      ? new Map([['r', JSON.parse(readFileSync(join(out, 'r', 'meta.json'), 'utf8')) as MetaJson]])
      : readMetas(join(out, 'r'));
    const videos = [...metas].map(([name, m]) => videoRun(name, m));
    const meta = metas.values().next().value ?? { steps: [] };
    const batch = join(out, 'r', 'batch.json');
    const loadSeconds = existsSync(batch) ? (JSON.parse(readFileSync(batch, 'utf8')) as { seconds: Record<string, number> }).seconds : undefined;
    return {
      wallSeconds: r.wallSeconds,
      peakSumPssMiB: r.groups.python?.peakSumPssMiB ?? 0,
      peakSumRssMiB: r.groups.python?.peakSumRssMiB ?? 0,
      largestProcess: largest(r.groups.python),
      timeMaxRssMiB: Math.round(maxKiB / 102.4) / 10,
      steps: meta.steps.length,
      ...(meta.seconds ? { stages: meta.seconds } : {}),
      videos,
      ...(loadSeconds ? { loadSeconds } : {}),
      samples: r.samples,
      samplerSeconds: r.samplerSeconds,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
