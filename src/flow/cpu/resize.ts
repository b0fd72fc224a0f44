/**
 * `cv::resize(..., INTER_LINEAR)` on single-channel CV_32F images, reproduced operation by operation
 * (imgproc/src/resize.cpp: the generic separable path with float coefficients, no SIMD-only differences).
 *
 * Facts this mirrors:
 * - with `dsize` empty, the destination size is `cvRound(w·fx)` × `cvRound(h·fy)` and the source step per
 *   destination pixel is `1/fx` (the factor as given, not the ratio of the sizes); with `dsize` given, the factor
 *   is `dsize/ssize` and the step `1/(dsize/ssize)`;
 * - the source position `(float)((d + 0.5)·step − 0.5)` is computed in double and rounded to float, its floor is
 *   the left tap and the remainder (in float) the weight; left of the image the weights become (1, 0) on column
 *   0, right of it (1, 0) on the last column;
 * - vertically the weights are NOT reset at the borders: the two row indices are clamped, so the top and bottom
 *   rows of an upscale are `S·(1 − fy) + S·fy` in float, which need not equal `S` exactly;
 * - every product and sum is rounded to float32: `d = S0·a0 + S1·a1` horizontally, then `D = R0·b0 + R1·b1`.
 */
import { roundHalfEven } from './round';

const fr = Math.fround;

/** Size of `cv::resize(src, dst, Size(), f, f)`: round half to even of `w·f`, `h·f` in double. */
export function scaledSize(width: number, height: number, factor: number): [number, number] {
  return [roundHalfEven(width * factor), roundHalfEven(height * factor)];
}

/** Reusable coefficient buffers (one per thread of use; avoids allocations per call). */
export class ResizeScratch {
  xofs = new Int32Array(0);
  alpha = new Float32Array(0);
  yofs = new Int32Array(0);
  beta = new Float32Array(0);
  rows: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];

  ensure(dw: number, dh = 0): void {
    if (this.xofs.length < dw) {
      this.xofs = new Int32Array(dw);
      this.alpha = new Float32Array(dw * 2);
      this.rows = [new Float32Array(dw), new Float32Array(dw)];
    }
    if (this.yofs.length < 2 * dh) {
      this.yofs = new Int32Array(2 * dh);
      this.beta = new Float32Array(2 * dh);
    }
  }
}

/**
 * `cv::resize` INTER_LINEAR coefficients (the arrays may be longer than needed; only the first dw, dh entries count).
 * Used by `resizeLinear` and by the WebGPU plan (src/flow/webgpu/plan.ts), which must agree bit for bit.
 */
export interface LinearCoefficients {
  /** Left source column of destination column dx. */
  xofs: Int32Array;
  /** Horizontal weights of the left and right taps: alpha[2dx], alpha[2dx+1]. */
  alpha: Float32Array;
  /** First destination column whose right tap lies past the image (OpenCV's `xmax`): from here on, copy the left tap. */
  xmax: number;
  /** The two source rows (clamped) of destination row dy: yofs[2dy], yofs[2dy+1]. */
  yofs: Int32Array;
  /** Vertical weights of those rows (not reset at the borders): beta[2dy], beta[2dy+1]. */
  beta: Float32Array;
}

/**
 * The coefficients of `cv::resize(src sw×sh → dst dw×dh, INTER_LINEAR)` with source steps `stepX`/`stepY`
 * (OpenCV's `scale_x`/`scale_y`, see `pyramidStep` and `sizeStep`). Pure apart from filling `scratch`.
 */
export function linearCoefficients(
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  stepX: number,
  stepY: number,
  scratch: ResizeScratch = new ResizeScratch(),
): LinearCoefficients {
  scratch.ensure(dw, dh);
  const { xofs, alpha, yofs, beta } = scratch;
  let xmax = dw;
  for (let dx = 0; dx < dw; dx++) {
    let fx = fr((dx + 0.5) * stepX - 0.5);
    let sx = Math.floor(fx);
    fx = fr(fx - sx);
    if (sx < 0) {
      fx = 0;
      sx = 0;
    }
    if (sx + 1 >= sw) {
      if (dx < xmax) xmax = dx;
      if (sx >= sw - 1) {
        fx = 0;
        sx = sw - 1;
      }
    }
    xofs[dx] = sx;
    alpha[2 * dx] = fr(1 - fx);
    alpha[2 * dx + 1] = fx;
  }
  const last = sh - 1;
  for (let dy = 0; dy < dh; dy++) {
    let fy = fr((dy + 0.5) * stepY - 0.5);
    const sy = Math.floor(fy);
    fy = fr(fy - sy);
    yofs[2 * dy] = sy < 0 ? 0 : sy > last ? last : sy;
    yofs[2 * dy + 1] = sy + 1 < 0 ? 0 : sy + 1 > last ? last : sy + 1;
    beta[2 * dy] = fr(1 - fy);
    beta[2 * dy + 1] = fy;
  }
  return { xofs, alpha, xmax, yofs, beta };
}

/**
 * Bilinear resize of `src` (sw×sh, row-major) into `dst` (dw×dh).
 * `stepX`/`stepY` are OpenCV's `scale_x`/`scale_y` = 1/inv_scale (use `pyramidStep` or `sizeStep`).
 */
export function resizeLinear(
  src: Float32Array,
  sw: number,
  sh: number,
  dst: Float32Array,
  dw: number,
  dh: number,
  stepX: number,
  stepY: number,
  scratch: ResizeScratch = new ResizeScratch(),
): void {
  if (dw === sw && dh === sh) {
    dst.set(src.subarray(0, sw * sh));
    return;
  }
  const { xofs, alpha, xmax, yofs, beta } = linearCoefficients(sw, sh, dw, dh, stepX, stepY, scratch);

  const rows = scratch.rows;
  const rowOf = [-1, -1];
  const hresize = (sy: number, slot: number) => {
    const out = rows[slot];
    const base = sy * sw;
    let dx = 0;
    for (; dx < xmax; dx++) {
      const sx = base + xofs[dx];
      out[dx] = fr(fr(src[sx] * alpha[2 * dx]) + fr(src[sx + 1] * alpha[2 * dx + 1]));
    }
    for (; dx < dw; dx++) out[dx] = src[base + xofs[dx]];
    rowOf[slot] = sy;
  };

  for (let dy = 0; dy < dh; dy++) {
    const r0 = yofs[2 * dy];
    const r1 = yofs[2 * dy + 1];
    // rows r0 and r1 are equal or consecutive: keep each in the slot of its parity
    const s0 = r0 & 1;
    const s1 = r1 & 1;
    if (rowOf[s0] !== r0) hresize(r0, s0);
    if (rowOf[s1] !== r1) hresize(r1, s1);
    const R0 = rows[s0];
    const R1 = rows[s1];
    const b0 = beta[2 * dy];
    const b1 = beta[2 * dy + 1];
    const o = dy * dw;
    for (let dx = 0; dx < dw; dx++) dst[o + dx] = fr(fr(R0[dx] * b0) + fr(R1[dx] * b1));
  }
}

/** OpenCV's source step for `resize(src, dst, Size(), f, f)`. */
export function pyramidStep(factor: number): number {
  return 1 / factor;
}

/** OpenCV's source step for `resize(src, dst, dsize)`: 1/(dsize/ssize), both in double. */
export function sizeStep(srcLen: number, dstLen: number): number {
  return 1 / (dstLen / srcLen);
}
