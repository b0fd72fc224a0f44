/** Axis arithmetic for the prediction timeline (pure). */

/** A "nice" step (1, 2 or 5 × 10^k) that splits `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** The ticks from 0 up to a nice top at or above `max` (scores: at most 1). */
export function scoreTicks(max: number, count = 4): number[] {
  const top = Math.min(1, Math.max(max, 1e-6));
  const step = niceStep(top, count);
  const n = Math.ceil(top / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => Math.min(1, +(i * step).toPrecision(12)));
}

/** Ticks within [lo, hi] (seconds) at a nice step. */
export function timeTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, count);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** A score as a percentage with enough digits to tell small scores apart. */
export function formatScore(score: number): string {
  const pct = score * 100;
  return `${pct >= 10 ? pct.toFixed(1) : pct >= 1 ? pct.toFixed(2) : pct.toPrecision(2)}%`;
}

/** Seconds with two decimals: "1.23 s". */
export function formatSeconds(s: number): string {
  return `${s.toFixed(2)} s`;
}
