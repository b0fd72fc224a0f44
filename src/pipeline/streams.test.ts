import { describe, expect, it } from 'vitest';
import { assembleInput, CROP, rgbCrop, rgbEntry } from './streams';

const PLANE = CROP * CROP;

function frame(width: number, height: number, seed: number): Uint8Array {
  const f = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < f.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    f[i] = s >>> 24;
  }
  return f;
}

describe('model input from stream entries', () => {
  it('RGB entries held as bytes give the same input as normalised ones, bit for bit', () => {
    for (const [w, h] of [
      [342, 256],
      [256, 455],
      [225, 224],
    ]) {
      const frames = [0, 1, 2, 3, 4].map((k) => frame(w, h, 7 + k));
      const floats = assembleInput(
        frames.map((f) => rgbEntry(f, w, h)),
        3,
      );
      const bytes = assembleInput(
        frames.map((f) => rgbCrop(f, w, h)),
        3,
      );
      expect(bytes.length).toBe(3 * 5 * PLANE);
      expect(Buffer.from(bytes.buffer).equals(Buffer.from(floats.buffer))).toBe(true);
      // every value is x/127.5 − 1 of its byte: the extremes appear
      expect(Math.min(...bytes.subarray(0, PLANE))).toBeLessThan(-0.9);
    }
  });

  it('writes into the buffer it is given when the size matches, and allocates otherwise', () => {
    const entries = [rgbCrop(frame(342, 256, 1), 342, 256), rgbCrop(frame(342, 256, 2), 342, 256)];
    const out = new Float32Array(3 * 2 * PLANE).fill(Number.NaN);
    const x = assembleInput(entries, 3, out);
    expect(x).toBe(out);
    expect(x.every((v) => Number.isFinite(v))).toBe(true);
    expect(assembleInput(entries.slice(0, 1), 3, out)).not.toBe(out);
    // mixed entries (a flow entry is float): the layout is (C, T, 224, 224)
    const flow = [new Float32Array(2 * PLANE).fill(0.5), new Float32Array(2 * PLANE).fill(-0.25)];
    const y = assembleInput(flow, 2);
    expect([y[0], y[PLANE], y[2 * PLANE], y[3 * PLANE]]).toEqual([0.5, -0.25, 0.5, -0.25]);
  });
});
