/**
 * Single-thread TV-L1 time per pair, repetitions interleaved so that the load of a shared machine hits all
 * implementations alike: the WebAssembly SIMD kernels, OpenCV's DualTVL1 with one thread (tools/reference/
 * flow_opencv.py) and, unless --no-ts, the TypeScript kernels, on consecutive grey frames from a .npy (n, H, W)
 * uint8 — e.g. the bench/out/flow-frames-341x256.npy that `npm run bench -- flow` writes. --kernels adds where the
 * WebAssembly time goes: milliseconds per pair in each kernel (the rest: pyramid, gradients, copies) and the
 * TV-L1 iterations per pair.
 *
 * Run: npx tsx tools/bench/flow-single.ts FRAMES.npy [--reps N] [--no-ts] [--kernels]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TVL1, type TVL1Kernels } from '../../src/flow/cpu';
import { createWasmKernels } from '../../src/flow/wasm/kernels';
import { decodeNpy } from '../../src/io/npy';
import { compileTVL1WasmModule as loadTVL1WasmModule } from '../../src/flow/wasm/node';
import { summarise } from './lib/stats';

/** Puts a timer around each replaceable kernel of `k`; the returned totals (ms) grow with every call. */
function timeKernels(k: TVL1Kernels): Record<string, number> {
  const ms: Record<string, number> = {};
  const slots = k as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  for (const name of ['innerIteration', 'warp', 'median5', 'gradRho']) {
    const f = slots[name];
    if (!f) continue;
    ms[name] = 0;
    slots[name] = (...args: unknown[]) => {
      const t = performance.now();
      try {
        return f(...args);
      } finally {
        ms[name] += performance.now() - t;
      }
    };
  }
  return ms;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { reps: { type: 'string', default: '5' }, 'no-ts': { type: 'boolean', default: false }, kernels: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new Error('usage: npx tsx tools/bench/flow-single.ts FRAMES.npy [--reps N] [--no-ts] [--kernels]');
  const file = resolve(positionals[0]);
  const reps = Number(values.reps);
  const arr = decodeNpy(new Uint8Array(readFileSync(file)));
  const [n, h, w] = arr.shape;
  if (arr.shape.length !== 3 || n < 2 || !(arr.data instanceof Uint8Array)) throw new Error(`${file}: want uint8 frames (n ≥ 2, H, W)`);
  const data = arr.data;
  const frame = (i: number) => ({ data: data.subarray(i * w * h, (i + 1) * w * h), width: w, height: h });
  const wasmKernels = createWasmKernels(await loadTVL1WasmModule());
  const kernelMs = values.kernels ? timeKernels(wasmKernels) : null;
  const solvers: Record<string, TVL1> = { wasm: new TVL1({}, wasmKernels) };
  if (!values['no-ts']) solvers.ts = new TVL1();
  for (const tv of Object.values(solvers)) tv.calc(frame(0), frame(1)); // warm-up
  if (kernelMs) for (const name in kernelMs) kernelMs[name] = 0;
  const iterations = { inner: 0, outer: 0 };
  const ms: Record<string, number[]> = { wasm: [], opencv: [], ...(solvers.ts ? { ts: [] } : {}) };
  const work = mkdtempSync(join(tmpdir(), 'flow-single-'));
  try {
    for (let r = 0; r < reps; r++) {
      for (const name of ['wasm', 'opencv', 'ts']) {
        if (name === 'opencv') {
          const timing = join(work, 'opencv.json');
          execFileSync(PYTHON, [join(ROOT, 'tools/reference/flow_opencv.py'), '--frames', file, '--threads', '1', '--warmup', '1', '--timing-json', timing]);
          const t = JSON.parse(readFileSync(timing, 'utf8')) as { pairs: number[] };
          ms.opencv.push((1000 * t.pairs.reduce((a, b) => a + b, 0)) / t.pairs.length);
        } else if (solvers[name]) {
          const t0 = performance.now();
          for (let i = 0; i + 1 < n; i++) {
            solvers[name].calc(frame(i), frame(i + 1));
            if (name === 'wasm') {
              iterations.inner += solvers.wasm.stats.innerIterations;
              iterations.outer += solvers.wasm.stats.outerIterations;
            }
          }
          ms[name].push((performance.now() - t0) / (n - 1));
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const out = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, summarise(v)]));
  const timed = reps * (n - 1);
  const perPair = (x: number) => Number((x / timed).toFixed(1));
  const wasmKernelsReport = kernelMs && {
    msPerPair: {
      ...Object.fromEntries(Object.entries(kernelMs).map(([k, v]) => [k, perPair(v)])),
      rest: perPair(ms.wasm.reduce((a, b) => a + b, 0) * (n - 1) - Object.values(kernelMs).reduce((a, b) => a + b, 0)),
    },
    innerIterationsPerPair: perPair(iterations.inner),
    outerIterationsPerPair: perPair(iterations.outer),
  };
  console.log(
    JSON.stringify(
      {
        size: `${w}x${h}`,
        pairs: n - 1,
        reps,
        msPerPair: out,
        opencvOverWasm: ms.wasm.map((x, i) => Number((ms.opencv[i] / x).toFixed(2))),
        ...(wasmKernelsReport ? { wasmKernels: wasmKernelsReport } : {}),
      },
      null,
      2,
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
