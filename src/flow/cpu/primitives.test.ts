/**
 * The image operations inside TV-L1, each bit-exact against the OpenCV call tvl1flow.cpp makes
 * (tools/reference/cv_ops.py; outputs cached under .cache/flow/).
 */
import { describe, expect, it } from 'vitest';
import { type CvJob, opencvOps } from '../../../test/flow/reference';
import { mulberry32 } from '../../../test/support/prng';
import { MedianScratch, median5InPlace, medianInPlaceGeneric } from './median';
import { sortColumn5 } from './median-kernels';
import { warpBicubic3 } from './remap';
import { pyramidStep, resizeLinear, scaledSize, sizeStep } from './resize';

const fr = Math.fround;

function randomImage(w: number, h: number, seed: number, levels = 0): Float32Array {
  const r = mulberry32(seed);
  // levels > 0: few distinct values (many ties, like median-filtered flow)
  return Float32Array.from({ length: w * h }, () => (levels > 0 ? Math.floor(r() * levels) - levels / 2 : fr(r() * 300 - 20)));
}

function expectSameBits(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let mismatches = 0;
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i]) && got[i] !== want[i]) mismatches++;
  expect(mismatches).toBe(0);
}

describe('resize INTER_LINEAR (float32) vs cv2.resize', () => {
  const down: Array<[number, number]> = [
    [342, 256],
    [274, 205],
    [17, 16],
    [5, 3],
    [1, 7],
  ];
  const up: Array<[number, number, number, number]> = [
    [274, 205, 342, 256],
    [140, 105, 175, 131],
    [3, 2, 5, 4],
    [1, 1, 2, 3],
  ];
  it('pyramid step (fx = fy = 0.8) and upscaling to a given size', () => {
    const jobs: Array<{ job: CvJob; inputs: Record<string, { data: Float32Array; shape: number[] }> }> = [];
    const ours: Float32Array[] = [];
    down.forEach(([w, h], k) => {
      const src = randomImage(w, h, 10 + k);
      const [dw, dh] = scaledSize(w, h, 0.8);
      const dst = new Float32Array(dw * dh);
      resizeLinear(src, w, h, dst, dw, dh, pyramidStep(0.8), pyramidStep(0.8));
      ours.push(dst);
      jobs.push({ job: { op: 'resize_factor', factor: 0.8 }, inputs: { src: { data: src, shape: [h, w] } } });
    });
    up.forEach(([w, h, dw, dh], k) => {
      const src = randomImage(w, h, 20 + k);
      const dst = new Float32Array(dw * dh);
      resizeLinear(src, w, h, dst, dw, dh, sizeStep(w, dw), sizeStep(h, dh));
      ours.push(dst);
      jobs.push({ job: { op: 'resize_size', width: dw, height: dh }, inputs: { src: { data: src, shape: [h, w] } } });
    });
    const ref = opencvOps('resize', jobs);
    ref.forEach((r, i) => {
      expect(r.data.length).toBe(ours[i].length);
      expectSameBits(ours[i], r.data as Float32Array);
    });
  });
});

describe('bicubic warp vs cv2.remap(INTER_CUBIC, BORDER_CONSTANT 0)', () => {
  it('random flows: inside, across and beyond the borders, exact 1/64 positions', () => {
    const cases: Array<[number, number, number]> = [
      [64, 48, 8], // flows up to ±8 px: many taps outside
      [37, 29, 60], // many pixels mapped entirely outside
      [5, 4, 3],
      [3, 2, 1],
    ];
    const jobs: Array<{ job: CvJob; inputs: Record<string, { data: Float32Array; shape: number[] }> }> = [];
    const ours: Float32Array[] = [];
    cases.forEach(([w, h, amp], k) => {
      const r = mulberry32(100 + k);
      const src = randomImage(w, h, 200 + k);
      const u1 = new Float32Array(w * h);
      const u2 = new Float32Array(w * h);
      for (let i = 0; i < w * h; i++) {
        // a third of the vectors on exact multiples of 1/64 (round-half-even cases of the 1/32 quantisation)
        const exact = r() < 0.33;
        u1[i] = exact ? Math.round(r() * 128 * amp - 64 * amp) / 64 : fr(r() * 2 * amp - amp);
        u2[i] = exact ? Math.round(r() * 128 * amp - 64 * amp) / 64 : fr(r() * 2 * amp - amp);
      }
      const mapx = new Float32Array(w * h);
      const mapy = new Float32Array(w * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          mapx[y * w + x] = fr(x + u1[y * w + x]);
          mapy[y * w + x] = fr(y + u2[y * w + x]);
        }
      }
      const d0 = new Float32Array(w * h);
      const d1 = new Float32Array(w * h);
      const d2 = new Float32Array(w * h);
      const src1 = src.map((v) => fr(v * 0.5));
      const src2 = src.map((v) => fr(-v));
      warpBicubic3(src, src1, src2, u1, u2, w, h, d0, d1, d2);
      ours.push(d0, d1, d2);
      for (const s of [src, src1, src2]) {
        jobs.push({
          job: { op: 'remap_cubic' },
          inputs: { src: { data: s, shape: [h, w] }, mapx: { data: mapx, shape: [h, w] }, mapy: { data: mapy, shape: [h, w] } },
        });
      }
    });
    const ref = opencvOps('remap', jobs);
    ref.forEach((r, i) => expectSameBits(ours[i], r.data as Float32Array));
  });
});

describe('median filter vs cv2.medianBlur (float32, replicated borders)', () => {
  it('the column sorting network sorts every 0/1 input (so every input)', () => {
    const out = new Float32Array(5);
    for (let m = 0; m < 32; m++) {
      const v = [0, 1, 2, 3, 4].map((b) => (m >> b) & 1);
      sortColumn5(v[0], v[1], v[2], v[3], v[4], out, 0);
      expect(Array.from(out)).toEqual([...v].sort((a, b) => a - b));
    }
  });

  it('5×5 and 3×3 on random data with and without ties, odd and tiny sizes', () => {
    const sizes: Array<[number, number]> = [
      [40, 30],
      [41, 7],
      [5, 5],
      [3, 2],
      [1, 1],
      [7, 1],
      [1, 6],
    ];
    const jobs: Array<{ job: CvJob; inputs: Record<string, { data: Float32Array; shape: number[] }> }> = [];
    const ours: Float32Array[] = [];
    const scratch = new MedianScratch();
    sizes.forEach(([w, h], k) => {
      for (const levels of [0, 5]) {
        for (const ksize of [5, 3]) {
          const src = randomImage(w, h, 300 + k, levels);
          const mine = src.slice();
          if (ksize === 5) median5InPlace(mine, w, h, scratch);
          else medianInPlaceGeneric(mine, w, h, 3, scratch);
          ours.push(mine);
          jobs.push({ job: { op: 'median', ksize }, inputs: { src: { data: src, shape: [h, w] } } });
        }
      }
    });
    const ref = opencvOps('median', jobs);
    ref.forEach((r, i) => expectSameBits(ours[i], r.data as Float32Array));
  });
});

describe('stopping test', () => {
  it('decides like the sequential float32 sum, also right at the threshold', async () => {
    const { errorAbove } = await import('./tvl1');
    const r = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 3000);
      const sq = Float32Array.from({ length: n }, () => fr(r() * r() * 1e-3));
      let f32 = 0;
      let f64 = 0;
      for (let i = 0; i < n; i++) {
        f32 = fr(f32 + sq[i]);
        f64 += sq[i];
      }
      // thresholds on both sides of the float32 sum, including exactly it
      for (const eps of [f32, fr(f32 * (1 + 2 ** -23)), fr(f32 * (1 - 2 ** -23)), fr(f64), fr(f32 * 1.01), fr(f32 * 0.99)]) {
        expect(errorAbove(f64, sq, n, eps)).toBe(f32 > eps);
      }
    }
  });
});
