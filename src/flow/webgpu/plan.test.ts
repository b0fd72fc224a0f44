/**
 * The GPU-free parts of the WebGPU TV-L1: the resize coefficients the shaders use must reproduce the CPU resize
 * bit for bit, the median network must select the exact median, and the uniform records must follow the WGSL
 * struct. (The kernels themselves are tested against the CPU path in e2e/flow-webgpu.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/support/prng';
import { resolveTVL1Params } from '../cpu/params';
import { pyramidStep, resizeLinear, sizeStep } from '../cpu/resize';
import { pyramidSizes } from '../cpu/tvl1';
import { selectionOps } from './median-network';
import { LOOP_PARTIALS, PARAM_FIELDS, RECORD_BYTES, makePlan, paramsRecord, paramsStructWgsl, resizeCoefficients } from './plan';

const fr = Math.fround;

/** What the pyrDown / levelInit shaders compute from the coefficients, in float32 like the GPU. */
function applyCoefficients(src: Float32Array, sw: number, c: Float32Array, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const hres = (row: number, dx: number) => {
    const [sx, a0, a1, beyond] = c.subarray(4 * dx, 4 * dx + 4);
    const o = row * sw + sx;
    return beyond ? src[o] : fr(fr(src[o] * a0) + fr(src[o + 1] * a1));
  };
  for (let dy = 0; dy < dh; dy++) {
    const [r0, r1, b0, b1] = c.subarray(4 * (dw + dy), 4 * (dw + dy) + 4);
    for (let dx = 0; dx < dw; dx++) out[dy * dw + dx] = fr(fr(hres(r0, dx) * b0) + fr(hres(r1, dx) * b1));
  }
  return out;
}

function randomImage(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => fr(r() * 255 - 20));
}

describe('resize coefficients', () => {
  const cases: Array<[number, number]> = [
    [342, 256],
    [341, 256],
    [64, 48],
    [21, 17],
  ];
  for (const [w, h] of cases) {
    it(`reproduce the CPU resize bit for bit down the pyramid of ${w}×${h} and back up`, () => {
      const sizes = pyramidSizes(w, h, resolveTVL1Params());
      for (let s = 1; s < sizes.length; s++) {
        const [fw, fh] = sizes[s - 1];
        const [cw, ch] = sizes[s];
        const fine = randomImage(fw * fh, s);
        const down = new Float32Array(cw * ch);
        resizeLinear(fine, fw, fh, down, cw, ch, pyramidStep(0.8), pyramidStep(0.8));
        expect(applyCoefficients(fine, fw, resizeCoefficients(fw, fh, cw, ch, pyramidStep(0.8), pyramidStep(0.8)), cw, ch)).toEqual(down);
        const coarse = randomImage(cw * ch, 100 + s);
        const up = new Float32Array(fw * fh);
        resizeLinear(coarse, cw, ch, up, fw, fh, sizeStep(cw, fw), sizeStep(ch, fh));
        expect(applyCoefficients(coarse, cw, resizeCoefficients(cw, ch, fw, fh, sizeStep(cw, fw), sizeStep(ch, fh)), fw, fh)).toEqual(up);
      }
    });
  }
});

describe('median network', () => {
  const { ops, result } = selectionOps(25, 12);
  const run = (v: number[]) => {
    const vals = new Map<number, number>(v.map((x, i) => [i, x]));
    for (const op of ops) vals.set(op.out, Math[op.fn](vals.get(op.a) as number, vals.get(op.b) as number));
    return vals.get(result);
  };

  it('selects the exact median of 25 values (random, with many ties)', () => {
    const rnd = mulberry32(7);
    for (let t = 0; t < 20000; t++) {
      const range = t % 3 === 0 ? 3 : 1000;
      const v = Array.from({ length: 25 }, () => Math.floor(rnd() * range) - range / 2);
      expect(run(v)).toBe([...v].sort((a, b) => a - b)[12]);
    }
  });

  it('is pruned to the median only (far fewer than a full sort)', () => {
    expect(ops.length).toBeLessThan(220);
  });
});

describe('plan and uniform records', () => {
  const plan = makePlan(342, 256, resolveTVL1Params());

  it('packs the pyramid levels and sizes the control block', () => {
    expect(plan.levels.map((l) => [l.w, l.h])).toEqual([
      [342, 256],
      [274, 205],
      [219, 164],
      [175, 131],
      [140, 105],
    ]);
    expect(plan.levels.map((l) => l.off)).toEqual([0, 87552, 87552 + 56170, 87552 + 56170 + 35916, 87552 + 56170 + 35916 + 22925]);
    expect(plan.pyrLen).toBe(87552 + 56170 + 35916 + 22925 + 14700);
    expect(plan.maxTiles).toBe(23 * 18);
    expect(plan.ctlStride).toBe(16 + Math.max(2 * 23 * 18, LOOP_PARTIALS));
  });

  it('writes the fields in the order of the WGSL struct', () => {
    const wgsl = paramsStructWgsl();
    const names = [...wgsl.matchAll(/^\s+(\w+): (u32|f32),$/gm)].map((m) => m[1]);
    expect(names).toEqual(PARAM_FIELDS.map(([n]) => n));
    const rec = paramsRecord(plan, 1, 1);
    expect(rec.byteLength).toBe(RECORD_BYTES);
    const u32 = new Uint32Array(rec);
    const f32 = new Float32Array(rec);
    const at = (name: string) => PARAM_FIELDS.findIndex(([n]) => n === name);
    expect([u32[at('w')], u32[at('h')], u32[at('slot')], u32[at('fineW')], u32[at('coarseW')], u32[at('zero')]]).toEqual([274, 205, 1, 342, 219, 0]);
    expect(f32[at('eps')]).toBe(fr(0.01 * 0.01 * 274 * 205));
    expect(f32[at('taut')]).toBe(fr(0.25 / 0.3));
  });
});
