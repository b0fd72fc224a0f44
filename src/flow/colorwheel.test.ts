import { describe, expect, it } from 'vitest';
import { COLOUR_WHEEL, flowToRgba } from './colorwheel';

function colourOf(u: number, v: number, maxMagnitude = 1): number[] {
  return Array.from(flowToRgba(new Float32Array([u, v]), 1, 1, { maxMagnitude }));
}

describe('Middlebury colour wheel', () => {
  it('has the 55 standard colours starting at red', () => {
    expect(COLOUR_WHEEL.length).toBe(55);
    expect(COLOUR_WHEEL[0]).toEqual([255, 0, 0]);
    expect(COLOUR_WHEEL[15]).toEqual([255, 255, 0]);
    expect(COLOUR_WHEEL[21]).toEqual([0, 255, 0]);
    expect(COLOUR_WHEEL[25]).toEqual([0, 255, 255]);
    expect(COLOUR_WHEEL[36]).toEqual([0, 0, 255]);
    expect(COLOUR_WHEEL[49]).toEqual([255, 0, 255]);
  });

  it('zero flow is white, full rightward flow red, leftward cyan-ish, beyond the maximum darker', () => {
    expect(colourOf(0, 0)).toEqual([255, 255, 255, 255]);
    expect(colourOf(1, 0)).toEqual([255, 0, 0, 255]);
    const left = colourOf(-1, 0);
    expect(left[0]).toBeLessThan(40);
    expect(left[2]).toBeGreaterThan(200);
    const half = colourOf(0.5, 0);
    expect(half).toEqual([255, 127, 127, 255]);
    expect(colourOf(2, 0)).toEqual([191, 0, 0, 255]);
  });

  it('normalises by the largest magnitude by default; non-finite vectors are black', () => {
    const rgba = flowToRgba(new Float32Array([4, 0, 2, 0, Number.NaN, 0]), 3, 1);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([255, 0, 0, 255]);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([255, 127, 127, 255]);
    expect(Array.from(rgba.subarray(8, 12))).toEqual([0, 0, 0, 255]);
  });
});
