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
import { join } from 'node:path';
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
  samples: number;
}

/** meta.json of the one video under `out` (the app writes out/<name>/meta.json, the reference out/r/meta.json). */
function readMeta(out: string): { steps: unknown[]; seconds?: Record<string, number>; stageSeconds?: Record<string, number> } | null {
  for (const name of readdirSync(out)) {
    const p = join(out, name, 'meta.json');
    if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8')) as { steps: unknown[] };
  }
  return null;
}

function largest(g: GroupMemory | undefined): { kind: string; hwmMiB: number } {
  const p = g?.processes[0];
  return p ? { kind: p.kind, hwmMiB: p.hwmMiB } : { kind: 'none', hwmMiB: 0 };
}

export interface ExtractArgs {
  video: string;
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
      a.video,
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
    const line = r.stdout.split('\n').find((l) => l.startsWith('{') && l.includes('"status":"done"'));
    const summary = line ? (JSON.parse(line) as { seconds: number; steps: number }) : null;
    if (!summary) throw new Error(`npm run extract printed no summary: ${r.stdout.slice(-2000)}`);
    const chromium = r.groups.chromium;
    const rendererPeak = (g: GroupMemory | undefined) => Math.max(0, ...(g?.processes.filter((p) => p.kind === 'renderer').map((p) => p.hwmMiB) ?? []));
    const during = r.afterMark?.chromium;
    const stages = readMeta(out)?.stageSeconds;
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
      samples: r.samples,
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
      a.video,
      '--out',
      join(out, 'r'),
      ...commonArgs(a),
      '--threads',
      String(threads),
    ];
    const r = await runSampled('/usr/bin/time', args, (argv) => (/python|ffmpeg/.test(argv[0] ?? '') ? 'python' : null), { cwd: ROOT });
    if (r.code !== 0) throw new Error(`pipeline.py failed (${r.code}): ${r.stderr.slice(-3000)}`);
    const [, maxKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
    const meta = readMeta(out) ?? { steps: [] };
    return {
      wallSeconds: r.wallSeconds,
      peakSumPssMiB: r.groups.python?.peakSumPssMiB ?? 0,
      peakSumRssMiB: r.groups.python?.peakSumRssMiB ?? 0,
      largestProcess: largest(r.groups.python),
      timeMaxRssMiB: Math.round(maxKiB / 102.4) / 10,
      steps: meta.steps.length,
      ...(meta.seconds ? { stages: meta.seconds } : {}),
      samples: r.samples,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
