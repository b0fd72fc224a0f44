import { describe, expect, it } from 'vitest';
import {
  MemoryVerdictStore,
  fromStored,
  judge,
  perturbForTest,
  relativeDiff,
  relativeMaxDiff,
  toleranceFor,
  verdictKey,
  verificationInput,
  verificationNote,
  type StoredVerdict,
  type VerificationSubject,
} from './verify';

const outputs = (scale = 1) => ({
  fc: new Float32Array([1, -2, 3, 4].map((v) => v * scale)),
  map: new Float32Array([0.5, -0.25, 8, -8].map((v) => v * scale)),
  logits: new Float32Array([10, -20].map((v) => v * scale)),
});

const subject: VerificationSubject = { adapter: 'nvidia ampere', model: { id: 'abc', dtype: 'fp32' }, compute: 'fp32', app: 'i3d-browser 0.1 i3d-runtime/1' };

describe('relativeDiff', () => {
  it('is 0 for equal outputs and the max abs difference over the max reference magnitude otherwise', () => {
    expect(relativeDiff(new Float32Array([1, -4, 2]), new Float32Array([1, -4, 2]))).toBe(0);
    expect(relativeDiff(new Float32Array([1, -4, 2]), new Float32Array([1.5, -4, 2]))).toBeCloseTo(0.5 / 4, 7);
  });

  it('is Infinity for different sizes and for values that are not finite', () => {
    expect(relativeDiff(new Float32Array(3), new Float32Array(2))).toBe(Infinity);
    expect(relativeDiff(new Float32Array([1, 2]), new Float32Array([1, NaN]))).toBe(Infinity);
    expect(relativeDiff(new Float32Array([1, 2]), new Float32Array([Infinity, 2]))).toBe(Infinity);
  });

  it('is Infinity when a zero reference is matched by a non-zero result, and 0 for two zero outputs', () => {
    expect(relativeDiff(new Float32Array(4), new Float32Array([0, 0, 1e-9, 0]))).toBe(Infinity);
    expect(relativeDiff(new Float32Array(4), new Float32Array(4))).toBe(0);
  });
});

describe('relativeMaxDiff', () => {
  it('takes the largest of the three outputs, each relative to its own scale', () => {
    const ref = outputs();
    const test = outputs();
    test.logits[0] += 0.02; // 0.02 / 20 = 1e-3
    test.fc[0] += 0.008; // 0.008 / 4 = 2e-3
    expect(relativeMaxDiff(ref, test)).toBeCloseTo(2e-3, 6);
  });

  it('does not depend on the outputs’ overall scale', () => {
    const a = outputs(1e3);
    const b = outputs(1e3);
    b.map[2] *= 1 + 1e-4;
    expect(relativeMaxDiff(a, b)).toBeCloseTo(1e-4, 6);
  });
});

describe('verdict', () => {
  it('fp32 and q8 (float compute) allow 1e-3, fp16 compute 1e-2', () => {
    expect(toleranceFor('fp32')).toBe(1e-3);
    expect(toleranceFor('fp16')).toBe(1e-2);
  });

  it('passes up to the tolerance and fails beyond it (and on Infinity)', () => {
    expect(judge(0, 1e-3)).toBe('pass');
    expect(judge(1e-3, 1e-3)).toBe('pass');
    expect(judge(1.1e-3, 1e-3)).toBe('fail');
    expect(judge(Infinity, 1e-2)).toBe('fail');
  });

  it('a perturbed result fails the fp16 tolerance too', () => {
    const ref = outputs();
    expect(judge(relativeMaxDiff(ref, perturbForTest(ref, 0.05)), toleranceFor('fp16'))).toBe('fail');
    expect(relativeMaxDiff(ref, perturbForTest(ref, 0.05))).toBeCloseTo(0.05, 5);
  });
});

describe('verification input', () => {
  it('is deterministic, in [−1, 1), of shape (1, C, 9, 224, 224)', () => {
    const a = verificationInput(3);
    expect(a.length).toBe(3 * 9 * 224 * 224);
    expect(Buffer.from(verificationInput(3).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(verificationInput(2).length).toBe(2 * 9 * 224 * 224);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThan(1);
    expect(hi - lo).toBeGreaterThan(1.9);
  });
});

describe('keys, store and note', () => {
  it('a key differs by adapter, model id, dtype, compute and app version', () => {
    const keys = new Set([
      verdictKey(subject),
      verdictKey({ ...subject, adapter: 'amd rdna3' }),
      verdictKey({ ...subject, model: { id: 'abd', dtype: 'fp32' } }),
      verdictKey({ ...subject, model: { id: 'abc', dtype: 'q8' } }),
      verdictKey({ ...subject, compute: 'fp16' }),
      verdictKey({ ...subject, app: 'i3d-browser 0.2 i3d-runtime/1' }),
    ]);
    expect(keys.size).toBe(6);
    expect(verdictKey({ ...subject })).toBe(verdictKey(subject));
  });

  it('the memory store keeps verdicts by key', async () => {
    const store = new MemoryVerdictStore();
    const v: StoredVerdict = { subject, maxDiff: 2e-2, tolerance: 1e-3, verdict: 'fail', checkedAt: '2025-01-01T00:00:00Z' };
    expect(await store.get(verdictKey(subject))).toBeNull();
    await store.put(verdictKey(subject), v);
    expect(await store.get(verdictKey(subject))).toEqual(v);
    expect(fromStored(v, true)).toEqual({ adapter: 'nvidia ampere', maxDiff: 2e-2, tolerance: 1e-3, verdict: 'fail', cached: true });
  });

  it('the note names the adapter, the difference, the tolerance and whether the verdict was stored', () => {
    const note = verificationNote({ adapter: 'nvidia ampere', maxDiff: 0.0234, tolerance: 1e-3, verdict: 'fail', cached: false });
    expect(note).toBe('webgpu results disagree with wasm on nvidia ampere (relative difference 2.3e-2 > 1.0e-3), ran on wasm');
    expect(verificationNote({ adapter: '', maxDiff: Infinity, tolerance: 1e-2, verdict: 'fail', cached: true })).toBe(
      'webgpu results disagree with wasm on this adapter (relative difference Infinity > 1.0e-2, stored verdict), ran on wasm',
    );
  });
});
