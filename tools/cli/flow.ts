/**
 * npm run flow -- VIDEO --out FLOW.npy [--max-frames N] [--fps F] [--backend cpu] [--threads T] [--kernels auto|wasm|ts]
 *
 * Decodes VIDEO with the native ffmpeg CLI and the canonical filter graph (short side 256), converts to grey
 * like OpenCV, computes OpenCV-exact TV-L1 between consecutive frames on T worker threads, and writes the raw
 * flow (before clipping) as float32 .npy of shape (n−1, H, W, 2), channels (x, y). Prints one line of JSON.
 * `--kernels`: WebAssembly SIMD (`wasm`), TypeScript (`ts`) or WebAssembly where available (`auto`, default);
 * both give the same flow bit for bit.
 * `--backend webgpu` is not available yet.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { describeError } from '../../src/errors';
import { rgbToGray } from '../../src/flow/gray';
import { npyHeader } from '../../src/io/npy';
import { decodeRgbFrames } from './lib/ffmpeg-native';
import { createNodeFlowPool } from './lib/flow-node-pool';

const USAGE = 'usage: npm run flow -- VIDEO --out FLOW.npy [--max-frames N] [--fps F] [--backend cpu] [--threads T] [--kernels auto|wasm|ts]';
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
    },
  });
  const kernels = KERNELS.find((k) => k === values.kernels);
  if (!kernels) throw new Error(`--kernels must be one of ${KERNELS.join(', ')}`);
  const video = positionals[0];
  if (!video || !values.out || positionals.length > 1) throw new Error(USAGE);
  if (values.backend !== 'cpu') throw new Error(`--backend ${values.backend} is not available yet (only cpu)`);
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
  const pool = createNodeFlowPool(Math.max(1, Math.min(threads, pairs)), { kernels });
  let iterations = 0;
  const used = new Set<string>();
  try {
    writeSync(fd, npyHeader('<f4', [pairs, height, width, 2]));
    // keep at most 2·threads pairs in flight; write in order as they finish
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
      const flow = await (inFlight.shift() as Promise<Float32Array>);
      writeSync(fd, new Uint8Array(flow.buffer, flow.byteOffset, flow.byteLength));
      if (process.stderr.isTTY) process.stderr.write(`\rflow: ${written + 1}/${pairs} pairs`);
    }
    if (process.stderr.isTTY && pairs > 0) process.stderr.write('\n');
  } finally {
    pool.terminate();
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
      threads,
      backend: 'cpu',
      kernels: [...used].join('+'),
      decodeSeconds: Number(((t1 - t0) / 1000).toFixed(3)),
      flowSeconds: Number(((t2 - t1) / 1000).toFixed(3)),
      pairsPerSecond: pairs > 0 ? Number((pairs / ((t2 - t1) / 1000)).toFixed(3)) : 0,
      meanInnerIterations: pairs > 0 ? Math.round(iterations / pairs) : 0,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(`flow: ${describeError(e)}`);
  process.exit(1);
});
