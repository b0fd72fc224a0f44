/**
 * TV-L1 optical flow reproducing OpenCV 4.x `cv::optflow::DualTVL1OpticalFlow::calc` (opencv_contrib,
 * modules/optflow/src/tvl1flow.cpp, unchanged from 4.6 to today) on the CPU, operation by operation in float32.
 *
 * Pure TypeScript: no DOM, no Node APIs. One instance keeps its buffers for the last frame size, so computing a
 * sequence of same-sized pairs allocates nothing per pair (besides the returned flow when no `out` is given).
 */
import { AppError } from '../../errors';
import { centeredGradient } from './gradient';
import { MedianScratch, median5InPlace, medianInPlaceGeneric } from './median';
import { type TVL1Params, resolveTVL1Params } from './params';
import { warpBicubic3 } from './remap';
import { ResizeScratch, pyramidStep, resizeLinear, scaledSize, sizeStep } from './resize';

const fr = Math.fround;
const FLT_EPSILON = 1.1920928955078125e-7;
/** OpenCV stops building the pyramid at the first level narrower or lower than this. */
export const TVL1_MIN_LEVEL_SIZE = 16;

/** A grey frame: uint8 in [0, 255], or float32 in [0, 1] (scaled by 255 like OpenCV does for CV_32F input). */
export interface GrayFrame {
  data: Uint8Array | Float32Array;
  width: number;
  height: number;
}

/**
 * Optional replacements for the hottest kernels (the WebAssembly SIMD build of src/flow/wasm), with the allocator
 * they need for their buffers. Any replacement must give exactly the TypeScript kernel's values.
 */
export interface TVL1Kernels {
  /** All float buffers for one frame size (width × height at level 0), in one call (e.g. views into one WebAssembly memory). */
  allocate(lengths: number[], width: number, height: number): Float32Array[];
  /** Same contract as `innerIteration` below. */
  innerIteration?: typeof innerIteration;
  /** In-place 5×5 median with replicated borders, like `median5InPlace`. */
  median5?: (u: Float32Array, w: number, h: number) => void;
  /** Same contract as `warpBicubic3`. */
  warp?: typeof warpBicubic3;
  /** Same contract as `calcGradRho`. */
  gradRho?: typeof calcGradRho;
}

/** Counters of the last `calc` (for tests and benchmarks). */
export interface TVL1Stats {
  levels: number;
  outerIterations: number;
  innerIterations: number;
}

interface Level {
  w: number;
  h: number;
  I0: Float32Array;
  I1: Float32Array;
  u1: Float32Array;
  u2: Float32Array;
}

/** Sizes of the pyramid levels OpenCV uses for a w×h frame. */
export function pyramidSizes(width: number, height: number, params: Pick<TVL1Params, 'nscales' | 'scaleStep'>): Array<[number, number]> {
  const sizes: Array<[number, number]> = [[width, height]];
  for (let s = 1; s < params.nscales; s++) {
    const [w, h] = scaledSize(sizes[s - 1][0], sizes[s - 1][1], params.scaleStep);
    if (w < TVL1_MIN_LEVEL_SIZE || h < TVL1_MIN_LEVEL_SIZE) break;
    sizes.push([w, h]);
  }
  return sizes;
}

export class TVL1 {
  readonly params: TVL1Params;
  readonly stats: TVL1Stats = { levels: 0, outerIterations: 0, innerIterations: 0 };
  private width = 0;
  private height = 0;
  private levels: Level[] = [];
  // level-0-sized work buffers, used as prefixes at coarser levels (like OpenCV's buf(Rect(...)))
  private I1x: Float32Array = new Float32Array(0);
  private I1y: Float32Array = new Float32Array(0);
  private I1w: Float32Array = new Float32Array(0);
  private I1wx: Float32Array = new Float32Array(0);
  private I1wy: Float32Array = new Float32Array(0);
  private grad: Float32Array = new Float32Array(0);
  private rhoC: Float32Array = new Float32Array(0);
  private p11: Float32Array = new Float32Array(0);
  private p12: Float32Array = new Float32Array(0);
  private p21: Float32Array = new Float32Array(0);
  private p22: Float32Array = new Float32Array(0);
  private sq: Float32Array = new Float32Array(0);
  private readonly medianScratch = new MedianScratch();
  private readonly resizeScratch = new ResizeScratch();

  constructor(
    params: Partial<TVL1Params> = {},
    private readonly kernels?: TVL1Kernels,
  ) {
    this.params = resolveTVL1Params(params);
  }

  /**
   * Flow from `frame0` to `frame1`: `frame0(x, y) ≈ frame1(x + u, y + v)`. Returns (or fills `out` with)
   * H×W×2 float32, channels (u, v) = (x, y), row-major — the layout of OpenCV's CV_32FC2 result.
   */
  calc(frame0: GrayFrame, frame1: GrayFrame, out?: Float32Array): Float32Array {
    const { width: w, height: h } = frame0;
    if (w !== frame1.width || h !== frame1.height) {
      throw new AppError('E_FLOW_SIZE', `${w}×${h} vs ${frame1.width}×${frame1.height}`);
    }
    if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new AppError('E_FLOW_SIZE', `empty frame ${w}×${h}`);
    if (frame0.data.length !== w * h || frame1.data.length !== w * h) {
      throw new AppError('E_FLOW_SIZE', `pixel buffers of ${frame0.data.length} and ${frame1.data.length} values for ${w}×${h}`);
    }
    const flow = out ?? new Float32Array(w * h * 2);
    if (flow.length !== w * h * 2) throw new AppError('E_FLOW_SIZE', `output buffer of ${flow.length} values for ${w}×${h}×2`);

    this.prepare(w, h);
    const p = this.params;
    const levels = this.levels;
    const stats = this.stats;
    stats.levels = levels.length;
    stats.outerIterations = 0;
    stats.innerIterations = 0;

    toFloat(frame0.data, levels[0].I0);
    toFloat(frame1.data, levels[0].I1);
    const step = pyramidStep(p.scaleStep);
    for (let s = 1; s < levels.length; s++) {
      const a = levels[s - 1];
      const b = levels[s];
      resizeLinear(a.I0, a.w, a.h, b.I0, b.w, b.h, step, step, this.resizeScratch);
      resizeLinear(a.I1, a.w, a.h, b.I1, b.w, b.h, step, step, this.resizeScratch);
    }
    const coarsest = levels[levels.length - 1];
    coarsest.u1.fill(0);
    coarsest.u2.fill(0);

    const upscale = 1 / p.scaleStep;
    for (let s = levels.length - 1; s >= 0; s--) {
      const L = levels[s];
      this.procOneScale(L);
      if (s === 0) break;
      const F = levels[s - 1];
      const sx = sizeStep(L.w, F.w);
      const sy = sizeStep(L.h, F.h);
      resizeLinear(L.u1, L.w, L.h, F.u1, F.w, F.h, sx, sy, this.resizeScratch);
      resizeLinear(L.u2, L.w, L.h, F.u2, F.w, F.h, sx, sy, this.resizeScratch);
      const n = F.w * F.h;
      for (let i = 0; i < n; i++) {
        F.u1[i] = fr(F.u1[i] * upscale);
        F.u2[i] = fr(F.u2[i] * upscale);
      }
    }

    const { u1, u2 } = levels[0];
    for (let i = 0, n = w * h; i < n; i++) {
      flow[2 * i] = u1[i];
      flow[2 * i + 1] = u2[i];
    }
    return flow;
  }

  private prepare(w: number, h: number): void {
    if (w === this.width && h === this.height) return;
    const sizes = pyramidSizes(w, h, this.params);
    const n = w * h;
    const lengths = [...sizes.flatMap(([lw, lh]) => [lw * lh, lw * lh, lw * lh, lw * lh]), ...Array<number>(12).fill(n)];
    const bufs = this.kernels ? this.kernels.allocate(lengths, w, h) : lengths.map((len) => new Float32Array(len));
    this.levels = sizes.map(([lw, lh], s) => ({ w: lw, h: lh, I0: bufs[4 * s], I1: bufs[4 * s + 1], u1: bufs[4 * s + 2], u2: bufs[4 * s + 3] }));
    [this.I1x, this.I1y, this.I1w, this.I1wx, this.I1wy, this.grad, this.rhoC, this.p11, this.p12, this.p21, this.p22, this.sq] = bufs.slice(4 * sizes.length);
    this.width = w;
    this.height = h;
  }

  private procOneScale(L: Level): void {
    const p = this.params;
    const { w, h, I0, I1, u1, u2 } = L;
    const n = w * h;
    const scaledEpsilon = fr(p.epsilon * p.epsilon * n);
    const lt = fr(p.lambda * p.theta);
    const taut = fr(p.tau / p.theta);
    const theta = fr(p.theta);
    const { I1x, I1y, I1w, I1wx, I1wy, grad, rhoC, p11, p12, p21, p22, sq } = this;
    const innerStep = this.kernels?.innerIteration ?? innerIteration;

    centeredGradient(I1, w, h, I1x, I1y);
    p11.fill(0, 0, n);
    p12.fill(0, 0, n);
    p21.fill(0, 0, n);
    p22.fill(0, 0, n);

    const warpStep = this.kernels?.warp ?? warpBicubic3;
    const gradRhoStep = this.kernels?.gradRho ?? calcGradRho;
    for (let warp = 0; warp < p.warps; warp++) {
      warpStep(I1, I1x, I1y, u1, u2, w, h, I1w, I1wx, I1wy);
      gradRhoStep(I0, I1w, I1wx, I1wy, u1, u2, grad, rhoC, n);

      // OpenCV: `float error = FLT_MAX; for (...; error > scaledEpsilon && ...; ...)` in both loops
      let above = true;
      for (let outer = 0; above && outer < p.outerIterations; outer++) {
        this.stats.outerIterations++;
        if (p.medianFiltering === 5 && this.kernels?.median5) {
          this.kernels.median5(u1, w, h);
          this.kernels.median5(u2, w, h);
        } else if (p.medianFiltering === 5) {
          median5InPlace(u1, w, h, this.medianScratch);
          median5InPlace(u2, w, h, this.medianScratch);
        } else if (p.medianFiltering > 1) {
          medianInPlaceGeneric(u1, w, h, p.medianFiltering, this.medianScratch);
          medianInPlaceGeneric(u2, w, h, p.medianFiltering, this.medianScratch);
        }
        for (let inner = 0; above && inner < p.innerIterations; inner++) {
          this.stats.innerIterations++;
          const sum = innerStep(w, h, I1wx, I1wy, grad, rhoC, u1, u2, p11, p12, p21, p22, lt, theta, taut, sq);
          above = errorAbove(sum, sq, n, scaledEpsilon);
        }
      }
    }
  }
}

function toFloat(src: Uint8Array | Float32Array, dst: Float32Array): void {
  if (src instanceof Uint8Array) {
    dst.set(src);
  } else {
    for (let i = 0; i < src.length; i++) dst[i] = fr(src[i] * 255);
  }
}

export function calcGradRho(
  I0: Float32Array,
  I1w: Float32Array,
  I1wx: Float32Array,
  I1wy: Float32Array,
  u1: Float32Array,
  u2: Float32Array,
  grad: Float32Array,
  rhoC: Float32Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const ix = I1wx[i];
    const iy = I1wy[i];
    grad[i] = fr(fr(ix * ix) + fr(iy * iy));
    rhoC[i] = fr(fr(fr(I1w[i] - fr(ix * u1[i])) - fr(iy * u2[i])) - I0[i]);
  }
}

/**
 * OpenCV's stopping test `error > scaledEpsilon`, where `error` is the float32 sum of the n per-pixel squared
 * updates `sq[i]` added one by one in row-major order. `sum` is the same sum in double (cheap: no rounding chain).
 * A sequential float32 sum of n non-negative terms is within a relative γ = (n−1)·2⁻²⁴/(1 − (n−1)·2⁻²⁴) of the
 * exact sum, and a double sum in any order within n·2⁻⁵² of it; so the double sum decides unless it is that
 * close to the threshold, and then the float32 sum is replayed exactly.
 */
export function errorAbove(sum: number, sq: Float32Array, n: number, scaledEpsilon: number): boolean {
  const k = (n - 1) * 2 ** -24;
  const gamma = k / (1 - k) + n * 2 ** -52;
  if (sum * (1 - gamma) > scaledEpsilon) return true;
  if (sum * (1 + gamma) < scaledEpsilon) return false;
  let error = 0;
  for (let i = 0; i < n; i++) error = fr(error + sq[i]);
  return error > scaledEpsilon;
}

/**
 * One inner iteration — estimateV, divergence, estimateU, forwardGradient and estimateDualVariables — fused
 * into a single pass over the rows. Writes each pixel's squared update into `sq` and returns their sum (in
 * double; see errorAbove). The dual update of row y−1 runs right after
 * the primal update of row y: it needs the new u of rows y−1 and y, and the primal step of row y still needed the
 * old p of row y−1. Every value is computed with OpenCV's operations in OpenCV's order, so the result is the
 * same as the unfused sequence.
 * Borders (first row and column for the divergence, last row and column for the forward gradient) are peeled
 * off so that the hot loops have no position tests.
 */
export function innerIteration(
  w: number,
  h: number,
  I1wx: Float32Array,
  I1wy: Float32Array,
  grad: Float32Array,
  rhoC: Float32Array,
  u1: Float32Array,
  u2: Float32Array,
  p11: Float32Array,
  p12: Float32Array,
  p21: Float32Array,
  p22: Float32Array,
  lt: number,
  theta: number,
  taut: number,
  sq: Float32Array,
): number {
  let error = 0;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const i = o + x;
      const ix = I1wx[i];
      const iy = I1wy[i];
      const g = grad[i];
      const u1k = u1[i];
      const u2k = u2[i];
      // estimateV (thresholding)
      const rho = fr(rhoC[i] + fr(fr(ix * u1k) + fr(iy * u2k)));
      const ltg = fr(lt * g);
      let d1 = 0;
      let d2 = 0;
      if (rho < -ltg) {
        d1 = fr(lt * ix);
        d2 = fr(lt * iy);
      } else if (rho > ltg) {
        d1 = -fr(lt * ix);
        d2 = -fr(lt * iy);
      } else if (g > FLT_EPSILON) {
        const fi = fr(-rho / g);
        d1 = fr(fi * ix);
        d2 = fr(fi * iy);
      }
      const v1 = fr(u1k + d1);
      const v2 = fr(u2k + d2);
      // divergence of p (backward differences; first row/column as OpenCV)
      let div1: number;
      let div2: number;
      if (x > 0) {
        if (y > 0) {
          div1 = fr(fr(p11[i] - p11[i - 1]) + fr(p12[i] - p12[i - w]));
          div2 = fr(fr(p21[i] - p21[i - 1]) + fr(p22[i] - p22[i - w]));
        } else {
          div1 = fr(fr(p11[i] - p11[i - 1]) + p12[i]);
          div2 = fr(fr(p21[i] - p21[i - 1]) + p22[i]);
        }
      } else if (y > 0) {
        div1 = fr(fr(p11[i] + p12[i]) - p12[i - w]);
        div2 = fr(fr(p21[i] + p22[i]) - p22[i - w]);
      } else {
        div1 = fr(p11[i] + p12[i]);
        div2 = fr(p21[i] + p22[i]);
      }
      // estimateU
      const u1n = fr(v1 + fr(theta * div1));
      const u2n = fr(v2 + fr(theta * div2));
      u1[i] = u1n;
      u2[i] = u2n;
      const e1 = fr(u1n - u1k);
      const e2 = fr(u2n - u2k);
      const e = fr(fr(e1 * e1) + fr(e2 * e2));
      sq[i] = e;
      error += e;
    }
    if (y > 0) dualRow(y - 1, w, u1, u2, p11, p12, p21, p22, taut);
  }
  dualLastRow(h - 1, w, u1, u2, p11, p12, p21, p22, taut);
  return error;
}

/** forwardGradient + estimateDualVariables for a row that has a next row. */
function dualRow(
  y: number,
  w: number,
  u1: Float32Array,
  u2: Float32Array,
  p11: Float32Array,
  p12: Float32Array,
  p21: Float32Array,
  p22: Float32Array,
  taut: number,
): void {
  const o = y * w;
  const last = o + w - 1;
  for (let i = o; i < last; i++) {
    const a = u1[i];
    const b = u2[i];
    const u1x = fr(u1[i + 1] - a);
    const u2x = fr(u2[i + 1] - b);
    const u1y = fr(u1[i + w] - a);
    const u2y = fr(u2[i + w] - b);
    const ng1 = fr(1 + fr(taut * fr(Math.sqrt(u1x * u1x + u1y * u1y))));
    const ng2 = fr(1 + fr(taut * fr(Math.sqrt(u2x * u2x + u2y * u2y))));
    p11[i] = fr(fr(p11[i] + fr(taut * u1x)) / ng1);
    p12[i] = fr(fr(p12[i] + fr(taut * u1y)) / ng1);
    p21[i] = fr(fr(p21[i] + fr(taut * u2x)) / ng2);
    p22[i] = fr(fr(p22[i] + fr(taut * u2y)) / ng2);
  }
  // last column: no x difference
  const u1y = fr(u1[last + w] - u1[last]);
  const u2y = fr(u2[last + w] - u2[last]);
  const ng1 = fr(1 + fr(taut * fr(Math.abs(u1y))));
  const ng2 = fr(1 + fr(taut * fr(Math.abs(u2y))));
  p11[last] = fr(p11[last] / ng1);
  p12[last] = fr(fr(p12[last] + fr(taut * u1y)) / ng1);
  p21[last] = fr(p21[last] / ng2);
  p22[last] = fr(fr(p22[last] + fr(taut * u2y)) / ng2);
}

/** forwardGradient + estimateDualVariables for the last row (no y differences). */
function dualLastRow(
  y: number,
  w: number,
  u1: Float32Array,
  u2: Float32Array,
  p11: Float32Array,
  p12: Float32Array,
  p21: Float32Array,
  p22: Float32Array,
  taut: number,
): void {
  const o = y * w;
  const last = o + w - 1;
  for (let i = o; i <= last; i++) {
    const u1x = i < last ? fr(u1[i + 1] - u1[i]) : 0;
    const u2x = i < last ? fr(u2[i + 1] - u2[i]) : 0;
    const ng1 = fr(1 + fr(taut * Math.abs(u1x)));
    const ng2 = fr(1 + fr(taut * Math.abs(u2x)));
    p11[i] = fr(fr(p11[i] + fr(taut * u1x)) / ng1);
    p12[i] = fr(p12[i] / ng1);
    p21[i] = fr(fr(p21[i] + fr(taut * u2x)) / ng2);
    p22[i] = fr(p22[i] / ng2);
  }
}
