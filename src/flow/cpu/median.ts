/**
 * `cv::medianBlur(src, dst, 5)` on CV_32F (BORDER_REPLICATE): the exact median of every 5×5 window with rows and
 * columns clamped to the image. OpenCV uses a sorting network; any exact selection gives the same value, so this
 * one sorts each column once (shared by the 5 windows that contain it), merges neighbouring column pairs once
 * (shared by 2 windows) and selects the 13th smallest from two pairs and a column (generated kernels).
 * `ksize = 3` uses a plain sort (not on the default path).
 */
import { median25, mergePair, sortColumn5 } from './median-kernels';

export class MedianScratch {
  cols = new Float32Array(0);
  pairs = new Float32Array(0);
  out = new Float32Array(0);

  ensure(w: number, n: number): void {
    const wp = w + 4;
    if (this.cols.length < 5 * wp) this.cols = new Float32Array(5 * wp);
    if (this.pairs.length < 10 * wp) this.pairs = new Float32Array(10 * wp);
    if (this.out.length < n) this.out = new Float32Array(n);
  }
}

/** 5×5 median with replicated borders, in place on `u` (w×h). */
export function median5InPlace(u: Float32Array, w: number, h: number, scratch: MedianScratch): void {
  scratch.ensure(w, w * h);
  for (let y = 0; y < h; y++) median5Row(u, w, h, y, scratch.cols, scratch.pairs, scratch.out);
  u.set(scratch.out.subarray(0, w * h));
}

// one row per call: keeps the hot loop in a small function that V8 optimises as a whole
function median5Row(u: Float32Array, w: number, h: number, y: number, cols: Float32Array, pairs: Float32Array, out: Float32Array): void {
  const n = w + 4; // padded column index p = x + 2, for x in −2 … w+1
  const lastRow = h - 1;
  const lastCol = w - 1;
  const r0 = (y >= 2 ? y - 2 : 0) * w;
  const r1 = (y >= 1 ? y - 1 : 0) * w;
  const r2 = y * w;
  const r3 = (y + 1 <= lastRow ? y + 1 : lastRow) * w;
  const r4 = (y + 2 <= lastRow ? y + 2 : lastRow) * w;
  for (let p = 0; p < n; p++) {
    const x = p < 2 ? 0 : p - 2 > lastCol ? lastCol : p - 2;
    sortColumn5(u[r0 + x], u[r1 + x], u[r2 + x], u[r3 + x], u[r4 + x], cols, p, n);
  }
  for (let p = 0; p + 1 < n; p++) mergePair(cols, p, p + 1, n, pairs, p);
  for (let x = 0; x < w; x++) out[r2 + x] = median25(pairs, x, x + 2, cols, x + 4, n);
}

/** k×k median (k odd) with replicated borders, in place; simple and slow, for non-default parameters. */
export function medianInPlaceGeneric(u: Float32Array, w: number, h: number, k: number, scratch: MedianScratch): void {
  scratch.ensure(w, w * h);
  const out = scratch.out;
  const r = k >> 1;
  const win = new Float64Array(k * k);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = Math.min(Math.max(y + dy, 0), h - 1);
        for (let dx = -r; dx <= r; dx++) win[m++] = u[yy * w + Math.min(Math.max(x + dx, 0), w - 1)];
      }
      win.sort();
      out[y * w + x] = win[(k * k) >> 1];
    }
  }
  u.set(out.subarray(0, w * h));
}
