/** The one element-wise comparison of the tests' outputs. */

/**
 * max |a[i] − b[i]|; +∞ when the lengths differ, NaN when any difference is NaN (so `≤ tolerance` checks fail
 * on both).
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}
