/**
 * The WebAssembly SIMD kernels against the TypeScript kernels they replace, bit for bit (compared as uint32, so
 * signed zeros count): each kernel on random data over many sizes (vector bodies, scalar tails, 1-pixel rows and
 * columns), then whole TV-L1 pairs.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/support/prng';
import { compileTVL1WasmModule } from './node';
import { type TVL1Kernels, TVL1 } from '../cpu';
import { MedianScratch, median5InPlace } from '../cpu/median';
import { warpBicubic3 } from '../cpu/remap';
import { calcGradRho, innerIteration } from '../cpu/tvl1';
import { createWasmKernels, isTVL1KernelModule } from './kernels';

const fr = Math.fround;
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectSameBits(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const g = bits(got);
  const w = bits(want);
  let first = -1;
  let count = 0;
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  expect(count, `${what}: ${count} mismatches, first at ${first} (${got[first]} vs ${want[first]})`).toBe(0);
}

async function kernels(): Promise<TVL1Kernels> {
  return createWasmKernels(await compileTVL1WasmModule());
}

const SIZES: Array<[number, number]> = [
  [1, 1],
  [1, 7],
  [7, 1],
  [2, 3],
  [3, 2],
  [4, 4],
  [5, 4],
  [6, 5],
  [8, 3],
  [9, 6],
  [17, 5],
  [31, 9],
  [64, 48],
];

describe('WebAssembly kernels = TypeScript kernels, bit for bit', () => {
  // median-net.ts is what its generator writes: test/codegen/median-networks.test.ts
  it('the module has the kernel exports', async () => {
    expect(isTVL1KernelModule(await compileTVL1WasmModule())).toBe(true);
  });

  it('inner iteration (all branches of the thresholding, g ≤ FLT_EPSILON, borders), 6 iterations per size', async () => {
    const K = await kernels();
    const lt = fr(0.15 * 0.3);
    const theta = fr(0.3);
    const taut = fr(0.25 / 0.3);
    for (const [w, h] of SIZES) {
      const n = w * h;
      const r = mulberry32(w * 100 + h);
      const bufs = K.allocate(Array<number>(11).fill(n), w, h);
      const [ix, iy, grad, rhoC, u1, u2, p11, p12, p21, p22, sq] = bufs;
      for (let i = 0; i < n; i++) {
        const flat = r() < 0.1; // textureless pixels: g = 0
        ix[i] = flat ? 0 : fr((r() - 0.5) * 60);
        iy[i] = flat ? 0 : fr((r() - 0.5) * 60);
        grad[i] = fr(fr(ix[i] * ix[i]) + fr(iy[i] * iy[i]));
        rhoC[i] = fr((r() - 0.5) * (r() < 0.5 ? 4 : 400));
        u1[i] = fr((r() - 0.5) * 6);
        u2[i] = fr((r() - 0.5) * 6);
      }
      const ts = bufs.map((b) => b.slice());
      for (let it = 0; it < 6; it++) {
        const a = K.innerIteration!(w, h, ix, iy, grad, rhoC, u1, u2, p11, p12, p21, p22, lt, theta, taut, sq);
        const b = innerIteration(w, h, ts[0], ts[1], ts[2], ts[3], ts[4], ts[5], ts[6], ts[7], ts[8], ts[9], lt, theta, taut, ts[10]);
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, b)); // double sums in another order
        ['u1', 'u2', 'p11', 'p12', 'p21', 'p22', 'sq'].forEach((name, k) => expectSameBits(bufs[4 + k], ts[4 + k], `${w}×${h} iteration ${it} ${name}`));
      }
    }
  });

  it('5×5 median with replicated borders (many ties)', async () => {
    const K = await kernels();
    const scratch = new MedianScratch();
    for (const [w, h] of SIZES) {
      for (const levels of [0, 5]) {
        const r = mulberry32(w * 31 + h + levels);
        const [u] = K.allocate([w * h], w, h);
        for (let i = 0; i < u.length; i++) u[i] = levels ? Math.floor(r() * levels) - 2 : fr((r() - 0.5) * 50);
        const want = u.slice();
        K.median5!(u, w, h);
        median5InPlace(want, w, h, scratch);
        expectSameBits(u, want, `median ${w}×${h} levels ${levels}`);
      }
    }
  });

  it('bicubic warp of three images: inside, borders, outside, 1/64-pixel ties and huge flows', async () => {
    const K = await kernels();
    for (const [w, h] of SIZES) {
      const n = w * h;
      const r = mulberry32(w * 7 + h * 13);
      const bufs = K.allocate(Array<number>(8).fill(n), w, h);
      const [s0, s1, s2, u1, u2] = bufs;
      for (let i = 0; i < n; i++) {
        s0[i] = fr(r() * 255);
        s1[i] = fr((r() - 0.5) * 80);
        s2[i] = fr((r() - 0.5) * 80);
        const kind = r();
        if (kind < 0.5) {
          u1[i] = fr((r() - 0.5) * 4);
          u2[i] = fr((r() - 0.5) * 4);
        } else if (kind < 0.7) {
          // positions exactly half-way between two 1/32 steps (round half to even)
          u1[i] = (Math.floor(r() * 64) - 32 + 0.5) / 32;
          u2[i] = (Math.floor(r() * 64) - 32 + 0.5) / 32;
        } else if (kind < 0.9) {
          u1[i] = fr((r() - 0.5) * 3 * (w + 8));
          u2[i] = fr((r() - 0.5) * 3 * (h + 8));
        } else {
          u1[i] = r() < 0.5 ? 3e9 : -3e9; // beyond int32 after ·32
          u2[i] = fr((r() - 0.5) * 2e5); // beyond int16 after >> 5
        }
      }
      const want = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      K.warp!(s0, s1, s2, u1, u2, w, h, bufs[5], bufs[6], bufs[7]);
      warpBicubic3(s0, s1, s2, u1, u2, w, h, want[0], want[1], want[2]);
      for (let k = 0; k < 3; k++) expectSameBits(bufs[5 + k], want[k], `warp ${w}×${h} image ${k}`);
    }
  });

  it('grad and rho_c of a warp', async () => {
    const K = await kernels();
    for (const n of [1, 3, 4, 5, 17, 3072]) {
      const r = mulberry32(n);
      const bufs = K.allocate(Array<number>(8).fill(n), n, 1);
      for (let k = 0; k < 6; k++) for (let i = 0; i < n; i++) bufs[k][i] = fr((r() - 0.5) * (k < 2 ? 500 : 40));
      const want = [new Float32Array(n), new Float32Array(n)];
      const [I0, I1w, ix, iy, u1, u2, grad, rhoC] = bufs;
      K.gradRho!(I0, I1w, ix, iy, u1, u2, grad, rhoC, n);
      calcGradRho(I0, I1w, ix, iy, u1, u2, want[0], want[1], n);
      expectSameBits(grad, want[0], `grad n=${n}`);
      expectSameBits(rhoC, want[1], `rho_c n=${n}`);
    }
  });

  it('whole TV-L1 pairs of many sizes (one instance reused across sizes)', async () => {
    const wasm = new TVL1({}, await kernels());
    const ts = new TVL1();
    for (const [w, h] of [...SIZES, [40, 19] as [number, number], [77, 61] as [number, number]]) {
      const r = mulberry32(w * 1000 + h);
      const n = w * h;
      const f0 = new Uint8Array(n);
      const f1 = new Uint8Array(n);
      // a smooth pattern moved by (1.3, −0.7) plus noise
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = (xx: number, yy: number) => 128 + 60 * Math.sin(xx * 0.31 + yy * 0.17) + 40 * Math.cos(xx * 0.11 - yy * 0.23);
          f0[y * w + x] = Math.max(0, Math.min(255, Math.round(v(x, y) + (r() - 0.5) * 6)));
          f1[y * w + x] = Math.max(0, Math.min(255, Math.round(v(x - 1.3, y + 0.7) + (r() - 0.5) * 6)));
        }
      }
      const a = wasm.calc({ data: f0, width: w, height: h }, { data: f1, width: w, height: h });
      const b = ts.calc({ data: f0, width: w, height: h }, { data: f1, width: w, height: h });
      expectSameBits(a, b, `TV-L1 ${w}×${h}`);
      expect(wasm.stats).toEqual(ts.stats);
    }
  });
});
