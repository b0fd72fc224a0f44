/**
 * Benchmark stage `decode`: frames per second of the canonical decode (src/decode/filter.ts: scale to short
 * side 256, bicubic+accurate_rnd+full_chroma_int+bitexact, rgb24, every frame once).
 * - app: the app's ffmpeg.wasm client (src/decode/client.ts `decodeVideo`: a decode worker, frames streamed to
 *   the page in batches with back-pressure) in headless Chromium, via the harness page; the file is in page
 *   memory before the clock starts; each run includes the worker start and ffmpeg.wasm's instantiation (the
 *   module is compiled once, in an untimed first decode).
 * - reference: native ffmpeg with the same arguments (`canonicalArgs`), rgb24 written to /dev/null, timed from
 *   process start to exit; once with its default threads (what tools/reference/pipeline.py gets) and once with
 *   `-threads 1 -filter_threads 1` (ffmpeg.wasm decodes on one thread).
 * Inputs: the fixture (320×240 → 342×256) and a synthetic 1080p testsrc2 clip (1920×1080 → 456×256).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { canonicalArgs } from '../../src/decode/filter';
import { openHarness, serveFile } from './lib/browser';
import { FIXTURE } from './lib/env';
import { ratio, type Figure, type Ratio, type StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';
import { syntheticVideo, type SyntheticSpec } from './lib/videos';

interface Input {
  key: string;
  label: string;
  path: string;
}

function config(opts: StageOptions): { runs: number; synthetic: SyntheticSpec } {
  if (opts.dryRun) return { runs: opts.runs ?? 1, synthetic: { width: 320, height: 240, seconds: 1, fps: 25 } };
  if (opts.quick) return { runs: opts.runs ?? 3, synthetic: { width: 1920, height: 1080, seconds: 4, fps: 25 } };
  return { runs: opts.runs ?? 5, synthetic: { width: 1920, height: 1080, seconds: 10, fps: 25 } };
}

/** Frame count and size of the canonical native decode (an untimed run that also warms the page cache). */
function nativeProbe(path: string): { frames: number; width: number; height: number } {
  const raw = execFileSync('ffmpeg', ['-v', 'error', ...canonicalArgs(path, 'pipe:1')], { maxBuffer: 2 ** 31 });
  const r = spawnSync('ffmpeg', ['-hide_banner', ...canonicalArgs(path, 'pipe:1', { maxFrames: 1 })], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /Output #0[\s\S]*?Video: [^\n]*?, (\d+)x(\d+)/.exec(r.stderr);
  if (!m) throw new Error(`could not read the canonical size of ${path}`);
  const [width, height] = [Number(m[1]), Number(m[2])];
  return { frames: raw.length / (width * height * 3), width, height };
}

function timeNative(path: string, runs: number, oneThread: boolean): number[] {
  const threads = oneThread ? ['-threads', '1', '-filter_threads', '1'] : [];
  const args = canonicalArgs(path, 'pipe:1');
  const at = args.indexOf('-i');
  // -threads before -i applies to the decoder; -filter_threads is global
  const argv = ['-v', 'error', ...args.slice(0, at), ...threads, ...args.slice(at)];
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const p = spawnSync('ffmpeg', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (p.status !== 0) throw new Error(`ffmpeg failed on ${path}: ${p.stderr.toString()}`);
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

export async function run(opts: StageOptions): Promise<StageData> {
  const cfg = config(opts);
  const s = cfg.synthetic;
  const inputs: Input[] = [
    { key: 'fixture', label: 'fixture 320×240', path: FIXTURE },
    { key: `testsrc2-${s.height}p`, label: `testsrc2 ${s.width}×${s.height} ${s.seconds} s`, path: syntheticVideo(s) },
  ];
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const details: Record<string, unknown> = {};
  const app = await openHarness();
  try {
    for (const input of inputs) {
      const probe = nativeProbe(input.path);
      const size = `${probe.width}x${probe.height}`;
      const url = await serveFile(app.page, input.path, basename(input.path));
      const wasm = await app.page.evaluate(([u, n, r]) => window.harness.benchDecode(u, n, r), [url, basename(input.path), cfg.runs] as const);
      if (wasm.frames !== probe.frames || wasm.width !== probe.width || wasm.height !== probe.height) {
        throw new Error(`${input.key}: ffmpeg.wasm gave ${wasm.frames} frames of ${wasm.width}x${wasm.height}, native ${probe.frames} of ${size}`);
      }
      const native = timeNative(input.path, cfg.runs, false);
      const native1 = timeNative(input.path, cfg.runs, true);
      const params = { input: input.key, frames: probe.frames, size };
      const fps = (secs: number[]) => secs.map((x) => probe.frames / x);
      const a = figure(`decode.wasm.${input.key}`, `ffmpeg.wasm in Chromium (app), ${input.label} → ${size}`, 'app', 'frames/s', fps(wasm.seconds), {
        ...params,
        threads: 1,
      });
      const n = figure(`decode.native.${input.key}`, `native ffmpeg, default threads, ${input.label} → ${size}`, 'reference', 'frames/s', fps(native), {
        ...params,
        threads: 'default',
      });
      const n1 = figure(`decode.native1.${input.key}`, `native ffmpeg, 1 thread, ${input.label} → ${size}`, 'reference', 'frames/s', fps(native1), {
        ...params,
        threads: 1,
      });
      figures.push(a, n, n1);
      ratios.push(ratio(`decode.${input.key}`, `decode ${input.label}: ffmpeg.wasm / native ffmpeg (default threads)`, a, n));
      ratios.push(ratio(`decode.${input.key}.t1`, `decode ${input.label}: ffmpeg.wasm / native ffmpeg (1 thread)`, a, n1));
      details[input.key] = { path: basename(input.path), ...probe, seconds: { wasm: wasm.seconds, native, native1 } };
    }
  } finally {
    await app.close();
  }
  return {
    figures,
    ratios,
    skipped: [],
    method: [
      'App: the app’s ffmpeg.wasm decoder (src/decode/client.ts decodeVideo, one decode worker, frames streamed to the page in batches) in headless Chromium via the test build’s harness page (e2e/harness/bench.ts); the video is in page memory before timing; each run includes the worker start and ffmpeg.wasm instantiation (compiled once in an untimed first run). Frames are counted, not hashed.',
      'Reference: native ffmpeg with the same canonical arguments, rgb24 to /dev/null, timed from process start to exit, with its default threads and with -threads 1 -filter_threads 1. Frame counts and sizes of both are checked equal.',
      `Figures: frames/s = decoded frames / seconds, median of ${cfg.runs} runs.`,
    ],
    details,
  };
}
