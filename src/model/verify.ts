/**
 * Verification of a WebGPU adapter against WASM (pure): the first time a model runs on an adapter, one short
 * deterministic input goes through the WebGPU session and a WASM session of the same model, and the outputs are
 * compared. The verdict is kept per adapter, model (id + dtype), compute precision and app version, so a later
 * video with the same four reuses it. ./runtime.ts runs the check; storage is injected (`VerdictStore`,
 * ../io/verdict-store.ts in the browser).
 */
import type { ModelDtype } from './types';

/** Frames of the verification input: the shortest stream I3D takes, one feature step. */
export const VERIFY_FRAMES = 9;
const VERIFY_SEED = 12;

/** Outputs to compare (the graph's raw fc, map and logits; any layout, as long as both sides share it). */
export interface ComparedOutputs {
  fc: Float32Array;
  map: Float32Array;
  logits: Float32Array;
}

export type Verdict = 'pass' | 'fail';

/** What meta.json says of a stream's verification (`stream.verification`). */
export interface Verification {
  /** The WebGPU adapter, as ../platform/adapter.ts adapterName writes it. */
  adapter: string;
  /** Largest |WebGPU − WASM| relative to the largest |WASM| value, over the three outputs. */
  maxDiff: number;
  tolerance: number;
  verdict: Verdict;
  /** True when a stored verdict was used (no check ran for this video). */
  cached: boolean;
}

/** What a verdict is kept for. */
export interface VerificationSubject {
  adapter: string;
  model: { id: string; dtype: ModelDtype };
  compute: 'fp32' | 'fp16';
  /** The app (and graph) version: a new build checks again. */
  app: string;
}

/** A kept verdict. */
export interface StoredVerdict {
  subject: VerificationSubject;
  maxDiff: number;
  tolerance: number;
  verdict: Verdict;
  checkedAt: string;
}

/** Where verdicts are kept (keys as `verdictKey` writes them). */
export interface VerdictStore {
  get(key: string): Promise<StoredVerdict | null>;
  put(key: string, verdict: StoredVerdict): Promise<void>;
}

/** One string per subject (field order fixed). */
export function verdictKey(s: VerificationSubject): string {
  return JSON.stringify([s.adapter, s.model.id, s.model.dtype, s.compute, s.app]);
}

/** Tolerance of the relative max difference: fp32 and q8 (float compute) 1e-3, fp16 compute 1e-2. */
export function toleranceFor(compute: 'fp32' | 'fp16'): number {
  return compute === 'fp16' ? 1e-2 : 1e-3;
}

/** A deterministic pseudo-random input in [−1, 1) of shape (1, C, T, 224, 224) (a 32-bit LCG). */
export function verificationInput(channels: number, frames = VERIFY_FRAMES, seed = VERIFY_SEED): Float32Array {
  const x = new Float32Array(channels * frames * 224 * 224);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2147483648 - 1;
  }
  return x;
}

/** max |a − b| / max |reference| of one output; Infinity when the sizes differ or a value is not finite. */
export function relativeDiff(reference: Float32Array, test: Float32Array): number {
  if (reference.length !== test.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    const t = test[i];
    if (!Number.isFinite(t) || !Number.isFinite(r)) return Infinity;
    diff = Math.max(diff, Math.abs(r - t));
    scale = Math.max(scale, Math.abs(r));
  }
  if (diff === 0) return 0;
  return scale > 0 ? diff / scale : Infinity;
}

/** The largest relative difference of the three outputs (each relative to its own largest reference value). */
export function relativeMaxDiff(reference: ComparedOutputs, test: ComparedOutputs): number {
  return Math.max(relativeDiff(reference.fc, test.fc), relativeDiff(reference.map, test.map), relativeDiff(reference.logits, test.logits));
}

export function judge(maxDiff: number, tolerance: number): Verdict {
  return maxDiff <= tolerance ? 'pass' : 'fail';
}

/** The stored verdict as meta.json reports it. */
export function fromStored(v: StoredVerdict, cached: boolean): Verification {
  return { adapter: v.subject.adapter, maxDiff: v.maxDiff, tolerance: v.tolerance, verdict: v.verdict, cached };
}

const short = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : String(x));

/** The fallback note of a failed verification (meta.json's `fallback` and the UI). */
export function verificationNote(v: Verification): string {
  return (
    `webgpu results disagree with wasm on ${v.adapter || 'this adapter'} (relative difference ${short(v.maxDiff)} > ${short(v.tolerance)}` +
    `${v.cached ? ', stored verdict' : ''}), ran on wasm`
  );
}

/** Test builds only: adds `amount` × the largest |value| to every other value of each output (a wrong adapter). */
export function perturbForTest(out: ComparedOutputs, amount: number): ComparedOutputs {
  const bump = (a: Float32Array) => {
    let scale = 0;
    for (const v of a) scale = Math.max(scale, Math.abs(v));
    return a.map((v, i) => (i % 2 === 0 ? v + amount * (scale || 1) : v));
  };
  return { fc: bump(out.fc), map: bump(out.map), logits: bump(out.logits) };
}

/** Verdicts kept in memory (tests, and where no storage is available). */
export class MemoryVerdictStore implements VerdictStore {
  readonly verdicts = new Map<string, StoredVerdict>();
  get(key: string): Promise<StoredVerdict | null> {
    return Promise.resolve(this.verdicts.get(key) ?? null);
  }
  put(key: string, verdict: StoredVerdict): Promise<void> {
    this.verdicts.set(key, verdict);
    return Promise.resolve();
  }
}
