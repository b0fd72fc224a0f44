import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { planChunks } from './geometry';
import {
  chooseChunk,
  chunkForBudget,
  CHUNK_STEP_FRAMES,
  defaultBudgetBytes,
  DEFAULT_BUDGET_FRACTION,
  estimatePeakBytes,
  FALLBACK_BUDGET_BYTES,
  MAX_BUDGET_CHUNK_FRAMES,
  MIN_CHUNK_FRAMES,
  parseByteSize,
} from './memory-budget';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const both = { streams: ['rgb', 'flow'] as const, dtype: 'q8' as const };

describe('memory budget → chunk length', () => {
  it('the floor is a chunk length the plan accepts for every stream length', () => {
    for (let n = MIN_CHUNK_FRAMES + 1; n < MIN_CHUNK_FRAMES + 300; n++) expect(() => planChunks(n, MIN_CHUNK_FRAMES)).not.toThrow();
  });

  it('the estimate grows with the chunk length, and with a second stream', () => {
    expect(estimatePeakBytes(256, both)).toBeGreaterThan(estimatePeakBytes(128, both));
    expect(estimatePeakBytes(192, both)).toBeGreaterThan(estimatePeakBytes(192, { streams: ['rgb'], dtype: 'q8' }));
    expect(estimatePeakBytes(192, { ...both, dtype: 'fp32' })).toBeGreaterThan(estimatePeakBytes(192, both));
  });

  it('picks the longest chunk whose estimate fits, on the step grid, between the floor and the cap', () => {
    for (const budget of [1 * GiB, 2 * GiB, 2.5 * GiB, 3 * GiB, 4 * GiB, 64 * GiB]) {
      const c = chunkForBudget(budget, both);
      expect(c).toBeGreaterThanOrEqual(MIN_CHUNK_FRAMES);
      expect(c).toBeLessThanOrEqual(MAX_BUDGET_CHUNK_FRAMES);
      expect((c - MIN_CHUNK_FRAMES) % CHUNK_STEP_FRAMES).toBe(0);
      if (c > MIN_CHUNK_FRAMES) expect(estimatePeakBytes(c, both)).toBeLessThanOrEqual(budget);
      if (c < MAX_BUDGET_CHUNK_FRAMES) expect(estimatePeakBytes(c + CHUNK_STEP_FRAMES, both)).toBeGreaterThan(budget);
    }
    expect(chunkForBudget(64 * GiB, both)).toBe(MAX_BUDGET_CHUNK_FRAMES);
    // too small a budget: the floor (the estimate then says by how much it is exceeded)
    expect(chunkForBudget(256 * MiB, both)).toBe(MIN_CHUNK_FRAMES);
  });

  it('a bigger budget never gives a shorter chunk; one stream gets at least what two get', () => {
    let last = 0;
    for (let b = 512 * MiB; b <= 8 * GiB; b += 64 * MiB) {
      const c = chunkForBudget(b, both);
      expect(c).toBeGreaterThanOrEqual(last);
      expect(chunkForBudget(b, { streams: ['flow'], dtype: 'q8' })).toBeGreaterThanOrEqual(c);
      last = c;
    }
  });

  it('default budget: a share of the device memory, a fallback when unknown', () => {
    expect(defaultBudgetBytes(16 * GiB)).toBe(Math.floor(16 * GiB * DEFAULT_BUDGET_FRACTION));
    expect(defaultBudgetBytes(null)).toBe(FALLBACK_BUDGET_BYTES);
    expect(defaultBudgetBytes(0)).toBe(FALLBACK_BUDGET_BYTES);
  });

  it('an explicit chunk length wins; otherwise the budget (the setting, else the device) decides', () => {
    const explicit = chooseChunk({ ...both, explicitChunk: 512, budgetBytes: 1 * GiB, deviceMemoryBytes: 8 * GiB });
    expect(explicit).toMatchObject({ maxChunkFrames: 512, from: 'explicit', budgetBytes: 1 * GiB, budgetFrom: 'setting' });
    expect(explicit.estimatedPeakBytes).toBe(estimatePeakBytes(512, both));
    const setting = chooseChunk({ ...both, explicitChunk: null, budgetBytes: 3 * GiB, deviceMemoryBytes: 8 * GiB });
    expect(setting).toMatchObject({ maxChunkFrames: chunkForBudget(3 * GiB, both), from: 'budget', budgetFrom: 'setting' });
    const device = chooseChunk({ ...both, explicitChunk: null, budgetBytes: null, deviceMemoryBytes: 6 * GiB });
    const share = 6 * GiB * DEFAULT_BUDGET_FRACTION;
    expect(device).toMatchObject({ maxChunkFrames: chunkForBudget(share, both), budgetBytes: share, budgetFrom: 'device' });
    expect(chooseChunk({ ...both, explicitChunk: null, budgetBytes: null, deviceMemoryBytes: null })).toMatchObject({
      budgetBytes: FALLBACK_BUDGET_BYTES,
      budgetFrom: 'fallback',
    });
  });
});

describe('parseByteSize', () => {
  it('reads sizes with binary units', () => {
    expect(parseByteSize('2G')).toBe(2 * GiB);
    expect(parseByteSize('1500M')).toBe(1500 * MiB);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * GiB);
    expect(parseByteSize('800mb')).toBe(800 * MiB);
    expect(parseByteSize('1048576K')).toBe(GiB);
    expect(parseByteSize(String(3 * GiB))).toBe(3 * GiB);
    expect(parseByteSize(' 2 G ')).toBe(2 * GiB);
  });

  it('refuses anything else with E_MEMORY_BUDGET', () => {
    for (const bad of ['', 'lots', '2X', '-1G', '1e9', 'G', '2GG', '10M']) {
      let err: unknown = null;
      try {
        parseByteSize(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('E_MEMORY_BUDGET');
    }
  });
});
