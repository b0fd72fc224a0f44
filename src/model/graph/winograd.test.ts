import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../../test/support/prng';
import { configureOrt, createSession, release, run } from '../ort';
import { GraphBuilder } from './onnx-builder';
import { emitWinogradConv, emitWinogradStem, toomCook, winogradMatrices } from './winograd';

configureOrt({ numThreads: 1 });

function randoms(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (2 * r() - 1) * scale);
}

/** Runs a one-input model on `x` and returns output `y`. */
async function runModel(model: Uint8Array, x: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[] }> {
  const s = await createSession(model, { device: 'wasm', fallback: false });
  try {
    return (await run(s, { x: { type: 'float32', data: x, dims } })).y;
  } finally {
    await release(s);
  }
}

function maxDiff(a: Float32Array, b: Float32Array): { diff: number; scale: number } {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { diff, scale };
}

describe('Winograd matrices (Toom-Cook)', () => {
  for (const [m, r, points] of [
    [2, 3, [0, 1, -1]],
    [4, 3, [0, 1, -1, 2, -2]],
    [2, 4, [0, 1, -1, 2]],
    [4, 4, [0, 1, -1, 2, -2, 0.5]],
  ] as const) {
    it(`F(${m}, ${r}) computes the correlation, with an exact (dyadic) input transform`, () => {
      const w = toomCook(m, r, points);
      const alpha = m + r - 1;
      for (const row of w.BT) for (const v of row) expect(Number.isInteger(v * 1024)).toBe(true);
      const rand = rng(m * 10 + r);
      for (let trial = 0; trial < 20; trial++) {
        const d = Array.from({ length: alpha }, () => rand() * 2 - 1);
        const g = Array.from({ length: r }, () => rand() * 2 - 1);
        const gd = w.G.map((row) => row.reduce((s, v, k) => s + v * g[k], 0));
        const bd = w.BT.map((row) => row.reduce((s, v, k) => s + v * d[k], 0));
        const y = w.AT.map((row) => row.reduce((s, v, j) => s + v * gd[j] * bd[j], 0));
        for (let i = 0; i < m; i++) {
          const direct = g.reduce((s, v, k) => s + v * d[i + k], 0);
          expect(Math.abs(y[i] - direct)).toBeLessThan(1e-12);
        }
      }
    });
  }

  it('F(2, 3) and F(4, 3) are the usual matrices (Lavin & Gray) up to row signs', () => {
    const f4 = winogradMatrices(4);
    expect(f4.BT[0]).toEqual([4, 0, -5, 0, 1, 0]);
    expect(f4.BT[5]).toEqual([0, 4, 0, -5, 0, 1]);
    expect(f4.AT[3]).toEqual([0, 1, -1, 8, -8, 1]);
    expect(winogradMatrices(2).AT).toEqual([
      [1, 1, 1, 0],
      [0, 1, -1, 1],
    ]);
  });
});

describe('Winograd convolutions = Conv (onnxruntime-web WASM)', () => {
  for (const [m, gemm, S] of [
    [2, 'conv', 12],
    [4, 'conv', 12],
    [4, 'matmul', 12],
    [4, 'conv', 7],
    [2, 'conv', 7],
  ] as const) {
    for (const T of [1, 2, 5]) {
      it(`3×3×3 stride 1, F(${m}×${m}, 3×3), ${gemm} GEMM, ${S}×${S}, T = ${T}`, async () => {
        const [C, O] = [5, 7];
        const weight = randoms(O * C * 27, 1 + T, 0.3);
        const bias = randoms(O, 2 + T);
        const x = randoms(C * T * S * S, 3 + T);
        const direct = new GraphBuilder();
        const xi = direct.input('x', 'float32', [1, C, 'T', S, S]);
        direct.node(
          'Conv',
          [xi, direct.initializer('w', 'float32', [O, C, 3, 3, 3], weight), direct.initializer('b', 'float32', [O], bias)],
          { exact: 'y' },
          { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] },
        );
        direct.output('y', 'float32', null);
        const wg = new GraphBuilder();
        emitWinogradConv(wg, wg.input('x', 'float32', [1, C, 'T', S, S]), { C, O, S, weight, bias, name: 'c', m, gemm }, { exact: 'y' });
        wg.output('y', 'float32', null);
        const a = await runModel(direct.encode('direct', {}, '0'), x, [1, C, T, S, S]);
        const b = await runModel(wg.encode('winograd', {}, '0'), x, [1, C, T, S, S]);
        expect(b.dims).toEqual([1, O, T, S, S]);
        const { diff, scale } = maxDiff(b.data, a.data);
        expect(scale).toBeGreaterThan(0.5);
        expect(diff).toBeLessThanOrEqual((m === 2 ? 2e-6 : 1e-5) * scale); // measured: ≤ 3.3e-7, ≤ 3.0e-6
      });
    }
  }

  for (const [m, gemm] of [
    [2, 'conv'],
    [4, 'conv'],
    [4, 'matmul'],
  ] as const) {
    it(`the 7×7×7 stride-2 stem, F(${m}×${m}, 4×4) on 2×2 phases, ${gemm} GEMM, odd and even padded lengths`, async () => {
      const [C, O] = [3, 4];
      const weight = randoms(O * C * 343, 11, 0.05);
      const bias = randoms(O, 12);
      for (const Tp of [7, 10]) {
        const x = randoms(C * Tp * 229 * 229, 13 + Tp);
        const direct = new GraphBuilder();
        const xi = direct.input('x', 'float32', [1, C, 'Tp', 229, 229]);
        direct.node(
          'Conv',
          [xi, direct.initializer('w', 'float32', [O, C, 7, 7, 7], weight), direct.initializer('b', 'float32', [O], bias)],
          { exact: 'y' },
          { kernel_shape: [7, 7, 7], strides: [2, 2, 2] },
        );
        direct.output('y', 'float32', null);
        const wg = new GraphBuilder();
        emitWinogradStem(wg, wg.input('x', 'float32', [1, C, 'Tp', 229, 229]), { C, O, weight, bias, name: 'stem', m, gemm }, { exact: 'y' });
        wg.output('y', 'float32', null);
        const a = await runModel(direct.encode('direct', {}, '0'), x, [1, C, Tp, 229, 229]);
        const b = await runModel(wg.encode('winograd', {}, '0'), x, [1, C, Tp, 229, 229]);
        expect(b.dims).toEqual([1, O, Math.floor((Tp - 7) / 2) + 1, 112, 112]);
        const { diff, scale } = maxDiff(b.data, a.data);
        expect(scale).toBeGreaterThan(0.5);
        expect(diff).toBeLessThanOrEqual((m === 2 ? 5e-6 : 1e-5) * scale); // measured: 1.3e-6, 4.1e-6
      }
    });
  }
});
