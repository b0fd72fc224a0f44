/**
 * Benchmark stage `flow`: TV-L1 frame pairs per second of the CPU path in Node (1 and 2 worker_threads,
 * src/flow/pool.ts) with the WebAssembly SIMD kernels (src/flow/wasm, the default) and with the pure TypeScript
 * kernels, next to OpenCV's DualTVL1 (Debian python3-opencv, cv2.setNumThreads with the same count), on the same
 * grey frames, in the same run, at 341×256 and 224×224. msPerPair of the 1-thread rows is the single-thread time
 * per pair.
 *
 * Input: consecutive frames of the fixture video from frame FIRST_FRAME on (past its static opening), decoded at
 * the canonical 342×256 and cropped (341×256: the left 341 columns; 224×224: the centre). Every figure is the
 * median of `runs` runs with min and max. TypeScript workers are warmed up (one pair each) before timing, and
 * OpenCV computes one untimed pair first; times exclude process start and decoding.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rgbToGray } from '../../src/flow/gray';
import { encodeNpy } from '../../src/io/npy';
import { decodeRgbFrames } from '../../src/decode/native-node';
import { createNodeFlowPool } from '../../src/flow/pool-node';
import { type StageOptions, type StageResult, type Summary, formatTable, round, summarise } from './lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
const OPENCV_SCRIPT = join(ROOT, 'tools/reference/flow_opencv.py');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const FIRST_FRAME = 30;

interface Config {
  pairs: number;
  runs: number;
  sizes: Array<[number, number]>;
  threads: number[];
}

function config(opts: StageOptions): Config {
  if (opts.dryRun) return { pairs: 2, runs: opts.runs ?? 1, sizes: [[64, 48]], threads: [1, 2] };
  if (opts.quick)
    return {
      pairs: 4,
      runs: opts.runs ?? 2,
      sizes: [
        [341, 256],
        [224, 224],
      ],
      threads: [1, 2],
    };
  return {
    pairs: 8,
    runs: opts.runs ?? 3,
    sizes: [
      [341, 256],
      [224, 224],
    ],
    threads: [1, 2],
  };
}

export interface FlowBenchRow {
  impl: 'wasm-cpu-node' | 'ts-cpu-node' | 'opencv';
  threads: number;
  size: string;
  pairsPerSecond: Summary;
  msPerPair: Summary;
}

/** Crop a stack of grey frames (W0×H0) to w×h at the centre (left (W0−w)//2, top (H0−h)//2). */
function cropStack(frames: Uint8Array[], w0: number, h0: number, w: number, h: number): Uint8Array {
  const left = (w0 - w) >> 1;
  const top = (h0 - h) >> 1;
  const out = new Uint8Array(frames.length * w * h);
  frames.forEach((f, k) => {
    for (let y = 0; y < h; y++) out.set(f.subarray((top + y) * w0 + left, (top + y) * w0 + left + w), (k * h + y) * w);
  });
  return out;
}

const KERNELS = { 'wasm-cpu-node': 'wasm', 'ts-cpu-node': 'ts' } as const;

async function timeWorkers(stack: Uint8Array, w: number, h: number, pairs: number, threads: number, runs: number, kernels: 'wasm' | 'ts'): Promise<number[]> {
  const frame = (i: number) => stack.subarray(i * w * h, (i + 1) * w * h);
  const pool = createNodeFlowPool(threads, { kernels });
  const check = (r: { kernels: string }) => {
    if (r.kernels !== kernels) throw new Error(`flow bench: asked for ${kernels} kernels, the workers ran ${r.kernels}`);
  };
  try {
    // warm-up: one pair per worker (starts the threads and lets V8 optimise)
    (await Promise.all(Array.from({ length: threads }, (_, i) => pool.computePair(frame(i % pairs), frame((i % pairs) + 1), w, h)))).forEach(check);
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: pairs }, (_, i) => pool.computePair(frame(i), frame(i + 1), w, h)));
      seconds.push((performance.now() - t0) / 1000);
      results.forEach(check);
    }
    return seconds;
  } finally {
    pool.terminate();
  }
}

function timeOpenCv(framesPath: string, threads: number, runs: number, workDir: string): { seconds: number[]; version: string } {
  const seconds: number[] = [];
  let version = '';
  for (let r = 0; r < runs; r++) {
    const timing = join(workDir, `flow-opencv-timing-${threads}.json`);
    execFileSync(PYTHON, [OPENCV_SCRIPT, '--frames', framesPath, '--threads', String(threads), '--warmup', '1', '--timing-json', timing], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const t = JSON.parse(readFileSync(timing, 'utf8')) as { pairs: number[]; opencv: string };
    seconds.push(t.pairs.reduce((a, b) => a + b, 0));
    version = t.opencv;
  }
  return { seconds, version };
}

export async function run(opts: StageOptions): Promise<StageResult> {
  const cfg = config(opts);
  const decoded = await decodeRgbFrames(FIXTURE, { maxFrames: FIRST_FRAME + cfg.pairs + 1 });
  const gray = decoded.frames.slice(FIRST_FRAME).map((f) => rgbToGray(f, decoded.width, decoded.height));
  if (gray.length < cfg.pairs + 1) throw new Error(`the fixture has only ${gray.length} frames from ${FIRST_FRAME} on`);

  const rows: FlowBenchRow[] = [];
  let opencvVersion = '';
  for (const [w, h] of cfg.sizes) {
    const stack = cropStack(gray, decoded.width, decoded.height, w, h);
    const framesPath = join(opts.workDir, `flow-frames-${w}x${h}.npy`);
    writeFileSync(framesPath, encodeNpy(stack, [cfg.pairs + 1, h, w]));
    for (const threads of cfg.threads) {
      const wasm = await timeWorkers(stack, w, h, cfg.pairs, threads, cfg.runs, KERNELS['wasm-cpu-node']);
      const ts = await timeWorkers(stack, w, h, cfg.pairs, threads, cfg.runs, KERNELS['ts-cpu-node']);
      const cv = timeOpenCv(framesPath, threads, cfg.runs, opts.workDir);
      opencvVersion = cv.version;
      for (const [impl, seconds] of [
        ['wasm-cpu-node', wasm],
        ['ts-cpu-node', ts],
        ['opencv', cv.seconds],
      ] as const) {
        rows.push({
          impl,
          threads,
          size: `${w}x${h}`,
          pairsPerSecond: summarise(seconds.map((s) => cfg.pairs / s)),
          msPerPair: summarise(seconds.map((s) => (1000 * s) / cfg.pairs)),
        });
      }
    }
  }

  const ratios = rows
    .filter((r) => r.impl !== 'opencv')
    .map((r) => {
      const cv = rows.find((c) => c.impl === 'opencv' && c.size === r.size && c.threads === r.threads) as FlowBenchRow;
      return { impl: r.impl, size: r.size, threads: r.threads, overOpenCv: round(r.pairsPerSecond.median / cv.pairsPerSecond.median, 3) };
    });
  const LABELS = { 'wasm-cpu-node': 'WASM SIMD CPU (Node workers)', 'ts-cpu-node': 'TS CPU (Node workers)' } as const;

  const table = formatTable([
    ['size', 'implementation', 'threads', 'pairs/s', 'min', 'max', 'ms/pair', 'vs OpenCV'],
    ...rows.map((r) => {
      const ratio = ratios.find((x) => x.impl === r.impl && x.size === r.size && x.threads === r.threads);
      return [
        r.size,
        r.impl === 'opencv' ? `OpenCV ${opencvVersion}` : LABELS[r.impl],
        String(r.threads),
        r.pairsPerSecond.median.toFixed(2),
        r.pairsPerSecond.min.toFixed(2),
        r.pairsPerSecond.max.toFixed(2),
        r.msPerPair.median.toFixed(0),
        r.impl === 'opencv' ? '1.00' : (ratio?.overOpenCv ?? 0).toFixed(2),
      ];
    }),
  ]);

  return {
    stage: 'flow',
    table,
    results: {
      input: { video: basename(FIXTURE), firstFrame: FIRST_FRAME, pairs: cfg.pairs, sourceSize: `${decoded.width}x${decoded.height}` },
      runs: cfg.runs,
      opencv: opencvVersion,
      rows,
      ratios,
    },
  };
}
