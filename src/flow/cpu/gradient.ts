/**
 * `centeredGradient` of tvl1flow.cpp: central differences `0.5·(next − prev)` inside, one-sided differences
 * `0.5·(this − neighbour)` (note: still halved) on the first/last rows and columns, all in float32.
 *
 * OpenCV reads outside the row when a side is 1 pixel long (undefined behaviour there); this version defines
 * the derivative along a 1-pixel-long axis as 0.
 */
const fr = Math.fround;

export function centeredGradient(src: Float32Array, w: number, h: number, dx: Float32Array, dy: Float32Array): void {
  const lastRow = h - 1;
  const lastCol = w - 1;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const up = y > 0 ? o - w : o; // one-sided at the borders
    const down = y < lastRow ? o + w : o;
    for (let x = 0; x < w; x++) {
      const l = x > 0 ? x - 1 : x;
      const r = x < lastCol ? x + 1 : x;
      dx[o + x] = fr(0.5 * fr(src[o + r] - src[o + l]));
      dy[o + x] = fr(0.5 * fr(src[down + x] - src[up + x]));
    }
  }
}
