import { describe, expect, it } from 'vitest';
import { featureSteps, samePad } from '../i3d-layout';
import { PAD_INPUTS, SPATIAL_PADS, featureLength, padFeeds, padVector, samePads, temporalLengths } from './pads';

describe('temporal pads contract', () => {
  it('one-pass pads follow TF-SAME on the length each strided layer sees, and give T′ = ceil(n/8) − 1', () => {
    for (let n = 1; n <= 300; n++) {
      const p = samePads(n);
      expect(p.conv1a).toEqual(samePad(n, 7, 2));
      const L = temporalLengths(n, p);
      expect(L.pool4a).toBe(Math.ceil(n / 2));
      expect(L.pool5a).toBe(Math.ceil(n / 4));
      expect(L.mixed5c).toBe(Math.ceil(n / 8));
      expect(p.pool4a).toEqual(samePad(L.pool4a, 3, 2));
      expect(p.pool5a).toEqual(samePad(L.pool5a, 2, 2));
      if (n >= 9) expect(featureLength(n, p)).toBe(featureSteps(n));
    }
  });

  it('builds 10-element ONNX Pad vectors with the fixed spatial pads', () => {
    expect(SPATIAL_PADS).toEqual({ conv1a: [2, 3], pool4a: [0, 1], pool5a: [0, 0] });
    expect(Array.from(padVector('conv1a', [2, 3]), Number)).toEqual([0, 0, 2, 2, 2, 0, 0, 3, 3, 3]);
    expect(Array.from(padVector('pool4a', [1, 1]), Number)).toEqual([0, 0, 1, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(padVector('pool5a', [0, 1]), Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    const feeds = padFeeds(samePads(16));
    expect(Object.keys(feeds).sort()).toEqual(Object.values(PAD_INPUTS).sort());
    expect(() => padVector('conv1a', [-1, 0])).toThrow(RangeError);
    expect(() => padVector('conv1a', [0.5, 0])).toThrow(RangeError);
  });

  it('counts the steps of other pads (chunks without front padding)', () => {
    const none = { conv1a: [0, 0], pool4a: [0, 0], pool5a: [0, 0] } as const;
    // 7 → (T−7)/2+1, 3 → (T−3)/2+1, 2 → (T−2)/2+1
    expect(temporalLengths(41, none)).toEqual({ conv1a: 41, pool4a: 18, pool5a: 8, mixed5c: 4 });
    expect(featureLength(41, none)).toBe(3);
  });
});
