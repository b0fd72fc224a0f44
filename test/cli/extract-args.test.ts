/** `npm run extract`'s chunk length options: --chunk, --memory-budget and the default from the machine's memory. */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../tools/cli/extract/args';
import { planForBudget, DEFAULT_BUDGET_FRACTION, MIN_CHUNK_FRAMES } from '../../src/pipeline/memory-budget';

const GiB = 1024 ** 3;
const base = ['clip.mp4', '--out', 'out', '--rgb', 'rgb.pt', '--flow', 'flow.pt'];
const parse = (extra: string[], memory = 16 * GiB) => parseOptions([...base, ...extra], {}, false, memory);
const both = { streams: ['rgb', 'flow'] as const, dtype: 'q8' as const };

describe('npm run extract: chunk length', () => {
  it('default: the longest chunk that fits a share of the machine’s memory', () => {
    const o = parse([], 6 * GiB);
    expect(o.chunking).toMatchObject({ from: 'budget', budgetBytes: 6 * GiB * DEFAULT_BUDGET_FRACTION, budgetFrom: 'device' });
    expect(o.settings.chunk).toBe(planForBudget(6 * GiB * DEFAULT_BUDGET_FRACTION, both).chunk);
    // a small machine gets the floor
    expect(parse([], 2 * GiB).settings.chunk).toBe(MIN_CHUNK_FRAMES);
  });

  it('--memory-budget sets the budget; the streams and dtype enter the estimate', () => {
    const o = parse(['--memory-budget', '3G']);
    expect(o.chunking).toMatchObject({ from: 'budget', budgetBytes: 3 * GiB, budgetFrom: 'setting' });
    expect(o.settings.chunk).toBe(planForBudget(3 * GiB, both).chunk);
    const rgb = parseOptions(['clip.mp4', '--out', 'out', '--rgb', 'rgb.pt', '--memory-budget', '1500M', '--dtype', 'fp32'], {}, false, GiB);
    expect(rgb.settings.chunk).toBe(planForBudget(1500 * 1024 ** 2, { streams: ['rgb'], dtype: 'fp32' }).chunk);
  });

  it('the videos that run at once (--jobs) share the budget', () => {
    const o = parse(['--memory-budget', '8G', '--jobs', '2']);
    expect(o.chunking).toMatchObject({ budgetBytes: 4 * GiB, budgetFrom: 'setting' });
    expect(o.settings.chunk).toBe(planForBudget(4 * GiB, both).chunk);
    expect(parse(['--jobs', '4'], 32 * GiB).chunking.budgetBytes).toBe(8 * GiB * DEFAULT_BUDGET_FRACTION);
  });

  it('--chunk wins and is recorded as explicit', () => {
    const o = parse(['--chunk', '384']);
    expect(o.settings.chunk).toBe(384);
    expect(o.chunking).toMatchObject({ maxChunkFrames: 384, from: 'explicit' });
  });

  it('refuses bad values', () => {
    expect(() => parse(['--memory-budget', 'lots'])).toThrow(/E_MEMORY_BUDGET/);
    expect(() => parse(['--memory-budget', '10M'])).toThrow(/E_MEMORY_BUDGET/);
    expect(() => parse(['--chunk', '64'])).toThrow(`--chunk must be at least ${MIN_CHUNK_FRAMES}`);
    expect(() => parse(['--chunk', '1.5'])).toThrow('--chunk must be a positive integer');
    expect(() => parse(['--chunk', '256', '--memory-budget', '2G'])).toThrow('not both');
  });
});
