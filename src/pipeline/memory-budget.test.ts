import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { planChunks } from './geometry';
import {
  chooseChunk,
  CHUNK_STEP_FRAMES,
  defaultBudgetBytes,
  DEFAULT_BUDGET_FRACTION,
  estimatePeakBytes,
  FALLBACK_BUDGET_BYTES,
  KEEP_FORM_SLACK,
  MAX_BUDGET_CHUNK_FRAMES,
  MEMORY_MODEL,
  MIN_CHUNK_FRAMES,
  parseByteSize,
  planForBudget,
  WASM_FORM_MODEL,
} from './memory-budget';
import type { WasmForm } from '../model/graph/wasm-graph';
import { WASM_FORMS } from '../model/graph/wasm-graph';

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

  it('counts the entries as the extraction holds them: RGB crops in bytes (147 KiB), flow in float32 (392 KiB)', () => {
    const rgb = estimatePeakBytes(128, { streams: ['rgb'], dtype: 'q8' });
    const flow = estimatePeakBytes(128, { streams: ['flow'], dtype: 'q8' });
    expect(flow - rgb).toBe(128 * 224 * 224 * (2 * 4 - 3));
    // the fitted line had float32 RGB entries: both streams now hold 441 KiB less per chunk frame
    expect(estimatePeakBytes(128, both, 'direct-stem-56')).toBe(
      MEMORY_MODEL.baseBytes + 128 * (WASM_FORM_MODEL['direct-stem-56'].perFrameBytes - 224 * 224 * 3 * 3),
    );
  });

  it('the estimate shrinks with the forms that hold less; the model covers every WASM graph form', () => {
    expect(Object.keys(WASM_FORM_MODEL).sort()).toEqual(Object.keys(WASM_FORMS).sort());
    expect(estimatePeakBytes(256, both, 'direct-stem')).toBeLessThan(estimatePeakBytes(256, both, 'winograd'));
    expect(estimatePeakBytes(256, both, 'direct-stem-56')).toBeLessThan(estimatePeakBytes(256, both, 'direct-stem'));
  });

  // the I3D time per stream frame the plan minimises: the form's relative time × the chunks' refeed of the stream
  const timeOf = ({ chunk, wasmForm }: { chunk: number; wasmForm: WasmForm }, n = 1000) => {
    const T = Math.max(n, 9);
    return (WASM_FORM_MODEL[wasmForm].relativeTime * planChunks(T, chunk).reduce((s, c) => s + c.end - c.start, 0)) / T;
  };
  const FORMS = Object.keys(WASM_FORM_MODEL) as WasmForm[];

  it('picks the fastest chunk length and form that fit the stream, on the step grid, between the floor and the cap', () => {
    for (const frames of [null, 8, 60, 128, 200, 300, 354, 499, 1000, 5000]) {
      const n = frames ?? 1000;
      for (const budget of [1 * GiB, 2 * GiB, 2.5 * GiB, 3 * GiB, 4 * GiB, 8 * GiB, 64 * GiB]) {
        const plan = planForBudget(budget, both, frames);
        expect(plan.chunk).toBeGreaterThanOrEqual(MIN_CHUNK_FRAMES);
        expect(plan.chunk).toBeLessThanOrEqual(Math.min(WASM_FORM_MODEL[plan.wasmForm].maxChunkFrames, MAX_BUDGET_CHUNK_FRAMES));
        expect((plan.chunk - MIN_CHUNK_FRAMES) % CHUNK_STEP_FRAMES).toBe(0);
        // no longer than the stream needs: a short video's plan holds no more than it uses
        expect(plan.chunk).toBeLessThanOrEqual(Math.max(MIN_CHUNK_FRAMES, Math.ceil(n / CHUNK_STEP_FRAMES) * CHUNK_STEP_FRAMES));
        const fits = estimatePeakBytes(plan.chunk, both, plan.wasmForm) <= budget;
        // every other plan that fits is no faster
        for (const wasmForm of FORMS) {
          for (let chunk = MIN_CHUNK_FRAMES; chunk <= WASM_FORM_MODEL[wasmForm].maxChunkFrames; chunk += CHUNK_STEP_FRAMES) {
            if (estimatePeakBytes(chunk, both, wasmForm) > budget) continue;
            expect(fits).toBe(true);
            expect(timeOf({ chunk, wasmForm }, n), `${frames} frames, ${budget / GiB} GiB: ${wasmForm} at ${chunk}`).toBeGreaterThanOrEqual(
              timeOf(plan, n) - 1e-9,
            );
          }
        }
      }
    }
    // a stream the Winograd form holds in one pass, with room: that pass
    expect(planForBudget(64 * GiB, both, 360)).toEqual({ chunk: WASM_FORM_MODEL.winograd.maxChunkFrames, wasmForm: 'winograd' });
    // too small a budget: the floor in the form that holds least (the estimate then says by how much it is exceeded)
    expect(planForBudget(256 * MiB, both)).toEqual({ chunk: MIN_CHUNK_FRAMES, wasmForm: 'direct-stem-56' });
  });

  it('plans for the video: one pass when the stream fits a form, in the fastest form that holds it', () => {
    // the fixture (354 stream entries) with room: one Winograd pass of 368, not two of 256 (1.45× the frames)
    expect(planForBudget(12 * GiB, both, 354)).toEqual({ chunk: 368, wasmForm: 'winograd' });
    expect(timeOf({ chunk: 256, wasmForm: 'winograd' }, 354)).toBeGreaterThan(1.4);
    // an 8 GiB browser's default budget (4 GiB): the Winograd form holds 224 frames, the direct stem one pass of 368
    expect(planForBudget(4 * GiB, both, 354)).toEqual({ chunk: 368, wasmForm: 'direct-stem' });
    // a 20-s clip at 25 fps (499 entries): one pass of 512 with the direct stem beats Winograd chunks of 368
    expect(planForBudget(12 * GiB, both, 499)).toEqual({ chunk: 512, wasmForm: 'direct-stem' });
    // a short clip: one pass at the floor in the fastest form
    expect(planForBudget(4 * GiB, both, 40)).toEqual({ chunk: MIN_CHUNK_FRAMES, wasmForm: 'winograd' });
    // the stream's length decides: a long one runs the longest chunks a form holds
    expect(planForBudget(12 * GiB, both, 5000)).toEqual({ chunk: 512, wasmForm: 'direct-stem' });
  });

  it('keeps the form the models are loaded in when it costs little more (a queue does not rebuild its graphs back and forth)', () => {
    // a 200-frame video: the Winograd form, unless the models are in the direct-stem form (7% slower, no rebuild)
    expect(planForBudget(12 * GiB, both, 200)).toEqual({ chunk: 208, wasmForm: 'winograd' });
    expect(planForBudget(12 * GiB, both, 200, 'direct-stem')).toEqual({ chunk: 208, wasmForm: 'direct-stem' });
    // a 380-frame video in the Winograd form would need two chunks: the direct stem's one pass is worth the rebuild
    expect(planForBudget(12 * GiB, both, 380, 'winograd')).toEqual({ chunk: 384, wasmForm: 'direct-stem' });
    // a 1000-frame video in the Winograd form: the chunk length would change, so the form does
    expect(planForBudget(12 * GiB, both, 1000, 'winograd')).toEqual(planForBudget(12 * GiB, both, 1000));
    // whatever is kept costs at most KEEP_FORM_SLACK more than the best, and fits
    for (const frames of [60, 200, 300, 380, 499, 1000]) {
      for (const budget of [2 * GiB, 3 * GiB, 4 * GiB, 12 * GiB]) {
        const best = planForBudget(budget, both, frames);
        for (const keep of FORMS) {
          const plan = planForBudget(budget, both, frames, keep);
          expect(timeOf(plan, frames)).toBeLessThanOrEqual(timeOf(best, frames) * (1 + KEEP_FORM_SLACK) + 1e-9);
          // only the form may differ: the chunks (and where a resumed run goes on) do not depend on what ran before
          expect(plan.chunk).toBe(best.chunk);
          if (estimatePeakBytes(best.chunk, both, best.wasmForm) <= budget)
            expect(estimatePeakBytes(plan.chunk, both, plan.wasmForm)).toBeLessThanOrEqual(budget);
        }
      }
    }
  });

  it('a tight budget trades a little time per pass for longer chunks: 2.75 GiB runs over 2× less I3D time than the Winograd floor', () => {
    const budget = 2.75 * GiB;
    const plan = planForBudget(budget, both);
    expect(estimatePeakBytes(MIN_CHUNK_FRAMES, both, 'winograd')).toBeGreaterThan(budget); // the old choice: the floor, over budget
    expect(plan.wasmForm).not.toBe('winograd');
    expect(estimatePeakBytes(plan.chunk, both, plan.wasmForm)).toBeLessThanOrEqual(budget);
    expect(timeOf({ chunk: MIN_CHUNK_FRAMES, wasmForm: 'winograd' }) / timeOf(plan)).toBeGreaterThan(2);
  });

  it('a bigger budget never gives a slower plan; one stream gets a plan at least as fast as two', () => {
    for (const frames of [null, 300, 499]) {
      let last = Infinity;
      for (let b = 512 * MiB; b <= 8 * GiB; b += 64 * MiB) {
        const t = timeOf(planForBudget(b, both, frames), frames ?? 1000);
        expect(t).toBeLessThanOrEqual(last + 1e-9);
        expect(timeOf(planForBudget(b, { streams: ['flow'], dtype: 'q8' }, frames), frames ?? 1000)).toBeLessThanOrEqual(t + 1e-9);
        last = t;
      }
    }
  });

  it('default budget: a share of the device memory, a fallback when unknown', () => {
    expect(defaultBudgetBytes(16 * GiB)).toBe(Math.floor(16 * GiB * DEFAULT_BUDGET_FRACTION));
    expect(defaultBudgetBytes(null)).toBe(FALLBACK_BUDGET_BYTES);
    expect(defaultBudgetBytes(0)).toBe(FALLBACK_BUDGET_BYTES);
  });

  it('an explicit chunk length wins; otherwise the budget (the setting, else the device) decides', () => {
    const explicit = chooseChunk({ ...both, explicitChunk: 512, budgetBytes: 1 * GiB, deviceMemoryBytes: 8 * GiB });
    // nothing fits 1 GiB at 512 frames: the form that holds least
    expect(explicit).toMatchObject({ maxChunkFrames: 512, from: 'explicit', budgetBytes: 1 * GiB, budgetFrom: 'setting', wasmForm: 'direct-stem-56' });
    expect(explicit.estimatedPeakBytes).toBe(estimatePeakBytes(512, both, 'direct-stem-56'));
    // an explicit length with room: the fastest form
    expect(chooseChunk({ ...both, explicitChunk: 192, budgetBytes: 16 * GiB, deviceMemoryBytes: null }).wasmForm).toBe('winograd');
    // longer than the Winograd form's heap holds: the next form that holds it, whatever the budget
    expect(chooseChunk({ ...both, explicitChunk: 480, budgetBytes: 64 * GiB, deviceMemoryBytes: null }).wasmForm).toBe('direct-stem');
    // the video's length: planned for it, and said
    const fixture = chooseChunk({ ...both, explicitChunk: null, budgetBytes: 12 * GiB, deviceMemoryBytes: null, frames: 354 });
    expect(fixture).toMatchObject({ maxChunkFrames: 368, wasmForm: 'winograd', plannedFrames: 354 });
    expect(chooseChunk({ ...both, explicitChunk: 384, budgetBytes: 12 * GiB, deviceMemoryBytes: null, frames: 354 }).plannedFrames).toBeUndefined();
    const setting = chooseChunk({ ...both, explicitChunk: null, budgetBytes: 3 * GiB, deviceMemoryBytes: 8 * GiB });
    const plan3 = planForBudget(3 * GiB, both);
    expect(setting).toMatchObject({ maxChunkFrames: plan3.chunk, wasmForm: plan3.wasmForm, from: 'budget', budgetFrom: 'setting' });
    const device = chooseChunk({ ...both, explicitChunk: null, budgetBytes: null, deviceMemoryBytes: 6 * GiB });
    const share = 6 * GiB * DEFAULT_BUDGET_FRACTION;
    expect(device).toMatchObject({ maxChunkFrames: planForBudget(share, both).chunk, budgetBytes: share, budgetFrom: 'device' });
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
