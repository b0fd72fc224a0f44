/**
 * npm run flow -- VIDEO --out FLOW.npy [--max-frames N] [--fps F] [--backend cpu|webgpu] [--threads T] [--kernels auto|wasm|ts]
 *
 * Decodes VIDEO with the native ffmpeg CLI and the canonical filter graph (short side 256), converts to grey
 * like OpenCV, computes OpenCV-exact TV-L1 between consecutive frames on T worker threads, and writes the raw
 * flow (before clipping) as float32 .npy of shape (n−1, H, W, 2), channels (x, y). Prints one line of JSON.
 * `--kernels`: WebAssembly SIMD (`wasm`), TypeScript (`ts`) or WebAssembly where available (`auto`, default);
 * both give the same flow bit for bit.
 * `--backend webgpu`: the app's WebGPU TV-L1 (src/flow/webgpu) in headless Chromium, on the built app's headless page,
 * batches of `--batch` pairs (default 4); uses whatever adapter Chromium has (its software adapter here: slow, and
 * labelled as such in the JSON line), and fails with a clear message when there is none.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { describeError } from '../../src/errors';
import { rgbToGray } from '../../src/flow/gray';
import { npyHeader } from '../../src/io/npy';
import { isSoftwareAdapter } from '../../src/platform/adapter';
import { buildWasm } from '../build-wasm.mjs';
import { decodeRgbFrames } from '../../src/decode/native-node';
import { createNodeFlowPool } from '../../src/flow/pool-node';
import { openApp } from './lib/browser-app';

const USAGE =
  'usage: npm run flow -- VIDEO --out FLOW.npy [--max-frames N] [--fps F] [--backend cpu|webgpu] [--threads T] [--kernels auto|wasm|ts] [--batch B]';
const KERNELS = ['auto', 'wasm', 'ts'] as const;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'max-frames': { type: 'string' },
      fps: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
      threads: { type: 'string' },
      kernels: { type: 'string', default: 'auto' },
      batch: { type: 'string', default: '4' },
    },
  });
  const kernels = KERNELS.find((k) => k === values.kernels);
  if (!kernels) throw new Error(`--kernels must be one of ${KERNELS.join(', ')}`);
  const video = positionals[0];
  if (!video || !values.out || positionals.length > 1) throw new Error(USAGE);
  const backend = values.backend;
  if (backend !== 'cpu' && backend !== 'webgpu') throw new Error('--backend must be cpu or webgpu');
  const batch = Number(values.batch);
  if (!(Number.isInteger(batch) && batch >= 1)) throw new Error('--batch must be a positive integer');
  const maxFrames = values['max-frames'] === undefined ? undefined : Number(values['max-frames']);
  if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames >= 1)) throw new Error('--max-frames must be a positive integer');
  const fps = values.fps === undefined ? undefined : Number(values.fps);
  const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error('--threads must be a positive integer');

  const t0 = performance.now();
  const { width, height, frames } = await decodeRgbFrames(video, { maxFrames, fps });
  const gray = frames.map((f) => rgbToGray(f, width, height));
  const pairs = Math.max(gray.length - 1, 0);
  const t1 = performance.now();

  const fd = openSync(values.out, 'w');
  const used = new Set<string>();
  /** Flows arrive in pair order; each is appended to the .npy as it comes. */
  const onFlow = (flow: Float32Array, done: number) => {
    writeSync(fd, new Uint8Array(flow.buffer, flow.byteOffset, flow.byteLength));
    if (process.stderr.isTTY) process.stderr.write(`\rflow: ${done}/${pairs} pairs${done === pairs ? '\n' : ''}`);
  };
  let iterations: number;
  try {
    writeSync(fd, npyHeader('<f4', [pairs, height, width, 2]));
    iterations =
      backend === 'webgpu' ? await webgpuFlows(gray, width, height, batch, onFlow, used) : await cpuFlows(gray, width, height, threads, kernels, onFlow, used);
  } finally {
    closeSync(fd);
  }
  const t2 = performance.now();
  console.log(
    JSON.stringify({
      video,
      out: values.out,
      frames: gray.length,
      pairs,
      width,
      height,
      threads: backend === 'cpu' ? threads : undefined,
      backend,
      ...(backend === 'cpu' ? { kernels: [...used].join('+') } : { adapter: [...used].join('+') }),
      decodeSeconds: Number(((t1 - t0) / 1000).toFixed(3)),
      flowSeconds: Number(((t2 - t1) / 1000).toFixed(3)),
      pairsPerSecond: pairs > 0 ? Number((pairs / ((t2 - t1) / 1000)).toFixed(3)) : 0,
      meanInnerIterations: pairs > 0 ? Math.round(iterations / pairs) : 0,
    }),
  );
}

/** TV-L1 on Node worker threads, at most 2·threads pairs in flight, flows handed over in order. */
async function cpuFlows(
  gray: Uint8Array[],
  width: number,
  height: number,
  threads: number,
  kernels: (typeof KERNELS)[number],
  onFlow: (flow: Float32Array, done: number) => void,
  used: Set<string>,
): Promise<number> {
  const pairs = Math.max(gray.length - 1, 0);
  // src/flow/wasm/node.ts only reads the module: build it first (skipped when up to date)
  if (kernels !== 'ts') await buildWasm();
  const pool = createNodeFlowPool(Math.max(1, Math.min(threads, pairs)), { kernels });
  let iterations = 0;
  try {
    const inFlight: Array<Promise<Float32Array>> = [];
    let next = 0;
    const launch = () => {
      const i = next++;
      inFlight.push(
        pool.computePair(gray[i], gray[i + 1], width, height).then((r) => {
          iterations += r.stats.innerIterations;
          used.add(r.kernels);
          return r.flow;
        }),
      );
    };
    for (let written = 0; written < pairs; written++) {
      while (next < pairs && inFlight.length < 2 * threads) launch();
      onFlow(await (inFlight.shift() as Promise<Float32Array>), written + 1);
    }
  } finally {
    pool.terminate();
  }
  return iterations;
}

/** TV-L1 on WebGPU in headless Chromium (the built app's headless page), `batch` pairs per call, in order. */
async function webgpuFlows(
  gray: Uint8Array[],
  width: number,
  height: number,
  batch: number,
  onFlow: (flow: Float32Array, done: number) => void,
  used: Set<string>,
): Promise<number> {
  const pairs = Math.max(gray.length - 1, 0);
  if (pairs === 0) return 0;
  const app = await openApp('/headless.html');
  let iterations = 0;
  try {
    const adapter = await app.page.evaluate(() => window.headless.flowWebgpuAdapter());
    if (!adapter) throw new Error('--backend webgpu: Chromium has no WebGPU adapter here (use --backend cpu)');
    const b64 = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    for (let start = 0; start < pairs; start += batch) {
      const list = [];
      for (let i = start; i < Math.min(start + batch, pairs); i++) list.push({ gray0: b64(gray[i]), gray1: b64(gray[i + 1]) });
      const r = await app.page.evaluate(([l, w, h]) => window.headless.flowWebgpuRun(l, w, h), [list, width, height] as const);
      used.add(isSoftwareAdapter(r.adapter) ? `${r.adapter} (software adapter: CPU-emulated)` : r.adapter);
      r.flows.forEach((f, k) => {
        iterations += f.innerIterations;
        const bytes = Buffer.from(f.flow, 'base64');
        onFlow(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), start + k + 1);
      });
    }
  } finally {
    await app.close();
  }
  return iterations;
}

main().catch((e: unknown) => {
  console.error(`flow: ${describeError(e)}`);
  process.exit(1);
});
