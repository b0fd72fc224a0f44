import { describe, expect, it } from 'vitest';
import { formatScore, niceStep, scoreTicks, timeTicks } from './chart';

describe('chart axes', () => {
  it('nice steps and ticks', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(0.9, 4)).toBe(0.5);
    expect(scoreTicks(0.9)).toEqual([0, 0.5, 1]);
    expect(scoreTicks(0.0031)).toEqual([0, 0.001, 0.002, 0.003, 0.004]);
    expect(scoreTicks(1)).toEqual([0, 0.5, 1]);
    expect(timeTicks(0.3, 1.6)).toEqual([0.5, 1, 1.5]);
    expect(timeTicks(2, 2)).toEqual([2]);
  });

  it('scores as percentages', () => {
    expect(formatScore(0.4567)).toBe('45.7%');
    expect(formatScore(0.01234)).toBe('1.23%');
    expect(formatScore(0.0025)).toBe('0.25%');
  });
});
