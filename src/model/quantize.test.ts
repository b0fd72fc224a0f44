import { describe, expect, it } from 'vitest';
import { float16Bits, float16Value, foldBatchNorm, quantizePerChannelInt8, toFloat16 } from './quantize';

describe('float16', () => {
  it('encodes exact values, rounds to nearest even, saturates and keeps NaN', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0)).toBe(0);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00); // half-way to the next binade rounds to even → Inf
    expect(float16Bits(1e6)).toBe(0x7c00);
    expect(float16Bits(-Infinity)).toBe(0xfc00);
    expect(float16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(Number.NaN) & 0x3ff).not.toBe(0);
    expect(float16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(float16Bits(2 ** -25)).toBe(0); // tie → even (0)
    expect(float16Bits(3 * 2 ** -25)).toBe(2); // tie 1.5 → 2
    expect(float16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
  });

  it('round-trips every finite half exactly and is within half an ulp for random floats', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = float16Value(h);
      if (!Number.isFinite(v)) continue;
      expect(float16Bits(v)).toBe(h === 0x8000 ? 0x8000 : h);
    }
    const xs = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4));
    const hs = toFloat16(xs);
    for (let i = 0; i < xs.length; i++) {
      const v = float16Value(hs[i]);
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(xs[i]))) - 10);
      expect(Math.abs(v - xs[i])).toBeLessThanOrEqual(Math.max(ulp, 2 ** -24) / 2 + 1e-12);
    }
  });
});

describe('int8 per-channel quantisation', () => {
  it('is symmetric per output channel with |error| ≤ scale/2 and the extreme at ±127', () => {
    const w = Float32Array.from({ length: 3 * 50 }, (_, i) => Math.cos(i * 0.77) * (1 + Math.floor(i / 50) * 10));
    w[60] = 0; // any value
    const { q, scale } = quantizePerChannelInt8(w, 3);
    for (let o = 0; o < 3; o++) {
      let max = 0;
      for (let i = 0; i < 50; i++) max = Math.max(max, Math.abs(w[o * 50 + i]));
      expect(scale[o]).toBeCloseTo(max / 127, 6);
      let extreme = 0;
      for (let i = 0; i < 50; i++) {
        const k = o * 50 + i;
        expect(Math.abs(q[k] * scale[o] - w[k])).toBeLessThanOrEqual(scale[o] / 2 + 1e-6);
        extreme = Math.max(extreme, Math.abs(q[k]));
      }
      expect(extreme).toBe(127);
    }
  });

  it('gives an all-zero channel a non-zero scale', () => {
    const { q, scale } = quantizePerChannelInt8(new Float32Array(8), 2);
    expect(Array.from(scale)).toEqual([1, 1]);
    expect(Array.from(q)).toEqual(new Array(8).fill(0));
  });
});

describe('BatchNorm folding', () => {
  it('equals conv followed by inference BatchNorm', () => {
    // two output channels, "conv" = dot product with a 3-vector
    const weight = Float32Array.from([1, -2, 0.5, 3, 0.25, -1]);
    const bn = {
      gamma: Float32Array.from([1.5, 0.7]),
      beta: Float32Array.from([0.1, -0.3]),
      mean: Float32Array.from([0.2, -1]),
      variance: Float32Array.from([0.8, 2]),
      eps: 0.001,
    };
    const f = foldBatchNorm(weight, [2, 3, 1, 1, 1], bn);
    const x = [0.3, -0.7, 2];
    for (let o = 0; o < 2; o++) {
      const y = x.reduce((s, v, i) => s + v * weight[o * 3 + i], 0);
      const expected = ((y - bn.mean[o]) / Math.sqrt(bn.variance[o] + bn.eps)) * bn.gamma[o] + bn.beta[o];
      const folded = x.reduce((s, v, i) => s + v * f.weight[o * 3 + i], 0) + f.bias[o];
      expect(folded).toBeCloseTo(expected, 5);
    }
  });
});
