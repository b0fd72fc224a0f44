/**
 * Prototype measurement: the fused TV-L1 inner iteration and the 5×5 median in TypeScript (src/flow/cpu) vs the
 * C/WebAssembly SIMD prototype (tools/wasm-proto/kernels.c), on the same realistic state (a fixture pair at
 * 342×256: the converged flow, its warp and gradients), checked value for value, timed in one Node process.
 * Run: tools/wasm-proto/build.sh && npx tsx tools/wasm-proto/bench.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { centeredGradient } from '../../src/flow/cpu/gradient';
import { MedianScratch, median5InPlace } from '../../src/flow/cpu/median';
import { warpBicubic3 } from '../../src/flow/cpu/remap';
import { TVL1, calcGradRho, innerIteration } from '../../src/flow/cpu/tvl1';
import { rgbToGray } from '../../src/flow/gray';
import { decodeRgbFrames } from '../cli/lib/ffmpeg-native';
import { summarise } from '../bench/lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fr = Math.fround;

interface Kernels {
  tvl1_inner: (...args: number[]) => number;
  median5: (u: number, w: number, h: number, scratch: number, out: number) => void;
}

async function main(): Promise<void> {
  const { width: w, height: h, frames } = await decodeRgbFrames(join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4'), { maxFrames: 42 });
  const n = w * h;
  const g0 = rgbToGray(frames[40], w, h);
  const g1 = rgbToGray(frames[41], w, h);
  const flow = new TVL1().calc({ data: g0, width: w, height: h }, { data: g1, width: w, height: h });

  // the state of a level-0 warp: I1 warped by the flow, its gradients, grad and rho_c
  const I0 = Float32Array.from(g0);
  const I1 = Float32Array.from(g1);
  const u1 = new Float32Array(n);
  const u2 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    u1[i] = flow[2 * i];
    u2[i] = flow[2 * i + 1];
  }
  const I1x = new Float32Array(n);
  const I1y = new Float32Array(n);
  centeredGradient(I1, w, h, I1x, I1y);
  const I1w = new Float32Array(n);
  const I1wx = new Float32Array(n);
  const I1wy = new Float32Array(n);
  warpBicubic3(I1, I1x, I1y, u1, u2, w, h, I1w, I1wx, I1wy);
  const grad = new Float32Array(n);
  const rhoC = new Float32Array(n);
  calcGradRho(I0, I1w, I1wx, I1wy, u1, u2, grad, rhoC, n);
  // start from a perturbed flow so that iterations do real work
  for (let i = 0; i < n; i++) {
    u1[i] = fr(u1[i] + 0.3 * Math.sin(i * 0.01));
    u2[i] = fr(u2[i] - 0.2 * Math.cos(i * 0.013));
  }
  const lt = fr(0.15 * 0.3);
  const theta = fr(0.3);
  const taut = fr(0.25 / 0.3);

  // WebAssembly memory: 11 planes for the inner iteration, 2 for the median, median scratch and output
  const planes = 16;
  const bytes = (planes * (n + 64) + 20 * (w + 16) + 64) * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 2 });
  const wasmPath = join(ROOT, 'bench/out/tvl1-proto.wasm');
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { env: { memory } });
  const K = instance.exports as unknown as Kernels;
  let top = 1024; // leave room for the C stack? the stack lives in the module's own data area; start past a guard
  const alloc = (count: number) => {
    const off = top;
    top += (count + 64) * 4;
    return off;
  };
  const stackBase = alloc(65536 / 4); // wasm-ld places the stack at the start of memory
  void stackBase;
  const mem = () => new Float32Array(memory.buffer);
  const names = ['ix', 'iy', 'grad', 'rhoc', 'u1', 'u2', 'p11', 'p12', 'p21', 'p22', 'sq'] as const;
  const off = Object.fromEntries(names.map((k) => [k, alloc(n)])) as Record<(typeof names)[number], number>;
  const medScratch = alloc(20 * (w + 16));
  const medOut = alloc(n + 8);
  const medU = alloc(n);

  const ITER = 30;
  const tsState = () => ({ u1: u1.slice(), u2: u2.slice(), p11: new Float32Array(n), p12: new Float32Array(n), p21: new Float32Array(n), p22: new Float32Array(n), sq: new Float32Array(n) });
  const runTs = () => {
    const s = tsState();
    const t0 = performance.now();
    for (let k = 0; k < ITER; k++) innerIteration(w, h, I1wx, I1wy, grad, rhoC, s.u1, s.u2, s.p11, s.p12, s.p21, s.p22, lt, theta, taut, s.sq);
    return { ms: (performance.now() - t0) / ITER, s };
  };
  const runWasm = () => {
    const m = mem();
    m.set(I1wx, off.ix / 4);
    m.set(I1wy, off.iy / 4);
    m.set(grad, off.grad / 4);
    m.set(rhoC, off.rhoc / 4);
    m.set(u1, off.u1 / 4);
    m.set(u2, off.u2 / 4);
    for (const p of ['p11', 'p12', 'p21', 'p22'] as const) m.fill(0, off[p] / 4, off[p] / 4 + n);
    const t0 = performance.now();
    for (let k = 0; k < ITER; k++) {
      K.tvl1_inner(w, h, off.ix, off.iy, off.grad, off.rhoc, off.u1, off.u2, off.p11, off.p12, off.p21, off.p22, lt, theta, taut, off.sq);
    }
    return { ms: (performance.now() - t0) / ITER };
  };

  const tsTimes: number[] = [];
  const wasmTimes: number[] = [];
  let tsLast = runTs().s;
  for (let r = 0; r < 5; r++) {
    const a = runTs();
    tsTimes.push(a.ms);
    tsLast = a.s;
    wasmTimes.push(runWasm().ms);
  }
  const m = mem();
  let mismatch = 0;
  for (const [k, arr] of [
    ['u1', tsLast.u1],
    ['u2', tsLast.u2],
    ['p11', tsLast.p11],
    ['p12', tsLast.p12],
    ['p21', tsLast.p21],
    ['p22', tsLast.p22],
  ] as const) {
    const base = off[k] / 4;
    for (let i = 0; i < n; i++) if (m[base + i] !== arr[i]) mismatch++;
  }

  // median
  const medTs: number[] = [];
  const medWasm: number[] = [];
  const scratch = new MedianScratch();
  let medMismatch = 0;
  for (let r = 0; r < 6; r++) {
    const a = u1.slice();
    let t0 = performance.now();
    for (let k = 0; k < 10; k++) median5InPlace(a, w, h, scratch);
    if (r > 0) medTs.push((performance.now() - t0) / 10);
    const mm = mem();
    mm.set(u1, medU / 4);
    t0 = performance.now();
    for (let k = 0; k < 10; k++) K.median5(medU, w, h, medScratch, medOut);
    if (r > 0) medWasm.push((performance.now() - t0) / 10);
    const res = mem().subarray(medU / 4, medU / 4 + n);
    medMismatch = 0;
    for (let i = 0; i < n; i++) if (res[i] !== a[i]) medMismatch++;
  }

  const it = { ts: summarise(tsTimes), wasm: summarise(wasmTimes) };
  const md = { ts: summarise(medTs), wasm: summarise(medWasm) };
  console.log(
    JSON.stringify(
      {
        size: `${w}x${h}`,
        innerIterationMs: it,
        innerSpeedup: Number((it.ts.median / it.wasm.median).toFixed(2)),
        innerMismatches: mismatch,
        median5Ms: md,
        medianSpeedup: Number((md.ts.median / md.wasm.median).toFixed(2)),
        medianMismatches: medMismatch,
      },
      null,
      2,
    ),
  );
}

void main();
