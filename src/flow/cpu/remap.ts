/**
 * The warp of TV-L1: `buildFlowMap` + `cv::remap(src, dst, mapx, mapy, INTER_CUBIC)` (BORDER_CONSTANT, value 0)
 * for three images at once (I1 and its two derivatives share the maps), reproduced operation by operation
 * (imgproc/src/imgwarp.cpp).
 *
 * Facts this mirrors:
 * - the map is `x + u1`, `y + u2` in float;
 * - float maps are converted to fixed point first: `X = cvRound(mapx·32)` (round half to even; out-of-range
 *   values become INT_MIN like `_mm_cvtps_epi32`), integer part `X >> 5` saturated to int16, fraction `X & 31`;
 *   so positions are quantised to 1/32 pixel;
 * - weights come from a 32×32 table of 4×4 float products `wy[i]·wx[j]` of the 1-D cubic kernel (A = −0.75)
 *   evaluated at `k·(1/32)` in float;
 * - fully inside (`0 ≤ sx ≤ W−4`, `0 ≤ sy ≤ H−4`, sx/sy the top-left tap): the sum is accumulated row by row,
 *   `sum = r0; sum += r1; sum += r2; sum += r3` with `rk = ((s0·w0 + s1·w1) + s2·w2) + s3·w3`;
 * - entirely outside (`sx ≥ W || sx + 4 ≤ 0 || sy ≥ H || sy + 4 ≤ 0`): 0;
 * - otherwise taps are summed one by one in row-major order, skipping those outside: `sum += (S − 0)·w`.
 */

const fr = Math.fround;

const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;

/** OpenCV's interpolateCubic in float32. */
function cubicCoeffs(x: number, out: Float32Array, o: number): void {
  const A = fr(-0.75);
  const x1 = fr(x + 1);
  const c0 = fr(fr(fr(fr(fr(fr(A * x1) - fr(5 * A)) * x1) + fr(8 * A)) * x1) - fr(4 * A));
  const c1 = fr(fr(fr(fr(fr(fr(A + 2) * x) - fr(A + 3)) * x) * x) + 1);
  const t = fr(1 - x);
  const c2 = fr(fr(fr(fr(fr(fr(A + 2) * t) - fr(A + 3)) * t) * t) + 1);
  out[o] = c0;
  out[o + 1] = c1;
  out[o + 2] = c2;
  out[o + 3] = fr(fr(fr(1 - c0) - c1) - c2);
}

let bicubicTab: Float32Array | null = null;

/** OpenCV's BicubicTab_f: 1024 entries (fy index · 32 + fx index) of 16 weights (row-major 4×4). */
export function bicubicTable(): Float32Array {
  if (bicubicTab) return bicubicTab;
  const one = new Float32Array(INTER_TAB_SIZE * 4);
  const scale = fr(1 / INTER_TAB_SIZE);
  for (let i = 0; i < INTER_TAB_SIZE; i++) cubicCoeffs(fr(i * scale), one, i * 4);
  const tab = new Float32Array(INTER_TAB_SIZE * INTER_TAB_SIZE * 16);
  for (let i = 0; i < INTER_TAB_SIZE; i++) {
    for (let j = 0; j < INTER_TAB_SIZE; j++) {
      const o = (i * INTER_TAB_SIZE + j) * 16;
      for (let k1 = 0; k1 < 4; k1++) {
        const vy = one[i * 4 + k1];
        for (let k2 = 0; k2 < 4; k2++) tab[o + k1 * 4 + k2] = fr(vy * one[j * 4 + k2]);
      }
    }
  }
  bicubicTab = tab;
  return tab;
}

/** `_mm_cvtps_epi32` of a float32 value: round half to even, INT_MIN when out of range or NaN. */
function cvtps(v: number): number {
  if (!(v > -2147483648.5 && v < 2147483647.5)) return -2147483648;
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/** Saturate to int16 (`_mm_packs_epi32`). */
function sat16(v: number): number {
  return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

/**
 * Warp `src0`, `src1`, `src2` (w×h) by the flow (u1, u2): `dstK(x, y) = srcK(x + u1, y + u2)` bicubic.
 */
export function warpBicubic3(
  src0: Float32Array,
  src1: Float32Array,
  src2: Float32Array,
  u1: Float32Array,
  u2: Float32Array,
  w: number,
  h: number,
  dst0: Float32Array,
  dst1: Float32Array,
  dst2: Float32Array,
): void {
  const tab = bicubicTable();
  for (let y = 0; y < h; y++) warpRow(y, src0, src1, src2, u1, u2, w, h, dst0, dst1, dst2, tab);
}

function warpRow(
  y: number,
  src0: Float32Array,
  src1: Float32Array,
  src2: Float32Array,
  u1: Float32Array,
  u2: Float32Array,
  w: number,
  h: number,
  dst0: Float32Array,
  dst1: Float32Array,
  dst2: Float32Array,
  tab: Float32Array,
): void {
  const width1 = w - 3;
  const height1 = h - 3;
  for (let x = 0; x < w; x++) {
    const i = y * w + x;
    const X = cvtps(fr(fr(x + u1[i]) * INTER_TAB_SIZE));
    const Y = cvtps(fr(fr(y + u2[i]) * INTER_TAB_SIZE));
    const sx = sat16(X >> INTER_BITS) - 1;
    const sy = sat16(Y >> INTER_BITS) - 1;
    const wo = (((Y & (INTER_TAB_SIZE - 1)) << INTER_BITS) | (X & (INTER_TAB_SIZE - 1))) * 16;
    if (sx >= 0 && sx < width1 && sy >= 0 && sy < height1) {
      const s = sy * w + sx;
      dst0[i] = interior(src0, s, w, tab, wo);
      dst1[i] = interior(src1, s, w, tab, wo);
      dst2[i] = interior(src2, s, w, tab, wo);
    } else if (sx >= w || sx + 4 <= 0 || sy >= h || sy + 4 <= 0) {
      dst0[i] = 0;
      dst1[i] = 0;
      dst2[i] = 0;
    } else {
      dst0[i] = border(src0, sx, sy, w, h, tab, wo);
      dst1[i] = border(src1, sx, sy, w, h, tab, wo);
      dst2[i] = border(src2, sx, sy, w, h, tab, wo);
    }
  }
}

function interior(S: Float32Array, s: number, w: number, tab: Float32Array, wo: number): number {
  let sum = fr(fr(fr(fr(S[s] * tab[wo]) + fr(S[s + 1] * tab[wo + 1])) + fr(S[s + 2] * tab[wo + 2])) + fr(S[s + 3] * tab[wo + 3]));
  s += w;
  sum = fr(sum + fr(fr(fr(fr(S[s] * tab[wo + 4]) + fr(S[s + 1] * tab[wo + 5])) + fr(S[s + 2] * tab[wo + 6])) + fr(S[s + 3] * tab[wo + 7])));
  s += w;
  sum = fr(sum + fr(fr(fr(fr(S[s] * tab[wo + 8]) + fr(S[s + 1] * tab[wo + 9])) + fr(S[s + 2] * tab[wo + 10])) + fr(S[s + 3] * tab[wo + 11])));
  s += w;
  sum = fr(sum + fr(fr(fr(fr(S[s] * tab[wo + 12]) + fr(S[s + 1] * tab[wo + 13])) + fr(S[s + 2] * tab[wo + 14])) + fr(S[s + 3] * tab[wo + 15])));
  return sum;
}

function border(S: Float32Array, sx: number, sy: number, w: number, h: number, tab: Float32Array, wo: number): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    const yi = sy + i;
    if (yi < 0 || yi >= h) continue;
    const row = yi * w;
    for (let j = 0; j < 4; j++) {
      const xj = sx + j;
      if (xj < 0 || xj >= w) continue;
      sum = fr(sum + fr(S[row + xj] * tab[wo + i * 4 + j]));
    }
  }
  return sum;
}
