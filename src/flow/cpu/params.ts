/**
 * Parameters of OpenCV's `DualTVL1OpticalFlow` (opencv_contrib optflow, tvl1flow.cpp), with its defaults.
 * The defaults are what DESIGN.md §3 step 3 requires; the others exist for tests and debugging.
 */
export interface TVL1Params {
  /** Time step of the numerical scheme. */
  tau: number;
  /** Weight of the data term. */
  lambda: number;
  /** Coupling between the two sub-problems. */
  theta: number;
  /** Number of pyramid levels (fewer are used when a level would be smaller than 16 pixels). */
  nscales: number;
  /** Warps per pyramid level. */
  warps: number;
  /** Stopping threshold: an inner loop stops when the summed squared update ≤ epsilon²·W·H. */
  epsilon: number;
  /** Inner iterations per outer iteration. */
  innerIterations: number;
  /** Outer iterations (each starts with a median filter) per warp. */
  outerIterations: number;
  /** Pyramid scale factor. */
  scaleStep: number;
  /** Median filter size applied to the flow before every outer iteration (≤ 1: none; only 3 or 5 supported). */
  medianFiltering: number;
}

export const DEFAULT_TVL1_PARAMS: Readonly<TVL1Params> = Object.freeze({
  tau: 0.25,
  lambda: 0.15,
  theta: 0.3,
  nscales: 5,
  warps: 5,
  epsilon: 0.01,
  innerIterations: 30,
  outerIterations: 10,
  scaleStep: 0.8,
  medianFiltering: 5,
});

/** Defaults overridden by `overrides`, checked (throws RangeError on values OpenCV would reject or we don't support). */
export function resolveTVL1Params(overrides: Partial<TVL1Params> = {}): TVL1Params {
  const p: TVL1Params = { ...DEFAULT_TVL1_PARAMS, ...overrides };
  const positiveInt = (name: keyof TVL1Params) => {
    if (!Number.isInteger(p[name]) || p[name] < 1) throw new RangeError(`TV-L1: ${name} must be a positive integer, got ${p[name]}`);
  };
  positiveInt('nscales');
  positiveInt('warps');
  positiveInt('innerIterations');
  positiveInt('outerIterations');
  for (const name of ['tau', 'lambda', 'theta', 'epsilon'] as const) {
    if (!(Number.isFinite(p[name]) && p[name] >= 0)) throw new RangeError(`TV-L1: ${name} must be finite and ≥ 0, got ${p[name]}`);
  }
  if (!(p.theta > 0)) throw new RangeError('TV-L1: theta must be > 0');
  if (!(p.scaleStep > 0 && p.scaleStep < 1)) throw new RangeError(`TV-L1: scaleStep must be in (0, 1), got ${p.scaleStep}`);
  if (!(p.medianFiltering <= 1 || p.medianFiltering === 3 || p.medianFiltering === 5)) {
    throw new RangeError(`TV-L1: medianFiltering must be ≤ 1, 3 or 5, got ${p.medianFiltering}`);
  }
  return p;
}
