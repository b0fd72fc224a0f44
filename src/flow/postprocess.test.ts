import { describe, expect, it } from 'vitest';
import { centreCropOrigin } from './crop';
import { encodeFlowValue, postprocessFlow } from './postprocess';

describe('flow post-processing', () => {
  it('float: clip to ±20 and divide by 20 in float32', () => {
    expect(encodeFlowValue(0)).toBe(0);
    expect(encodeFlowValue(10)).toBe(0.5);
    expect(encodeFlowValue(-35)).toBe(-1);
    expect(encodeFlowValue(1e9)).toBe(1);
    expect(encodeFlowValue(Math.fround(0.3))).toBe(Math.fround(Math.fround(0.3) / 20));
  });

  it('jpeg8: q = floor(255·(v+20)/40 + 0.5), then q/127.5 − 1', () => {
    expect(encodeFlowValue(0, 'jpeg8')).toBe(Math.fround(128 / 127.5 - 1)); // 127.5 + 0.5 → 128
    expect(encodeFlowValue(-20, 'jpeg8')).toBe(-1);
    expect(encodeFlowValue(25, 'jpeg8')).toBe(1);
    // v = 20·(2k+1)/255 − 20 sits exactly half way: half rounds up
    const k = 100;
    const v = (40 * (k + 0.5)) / 255 - 20;
    const q = Math.floor((255 * (v + 20)) / 40 + 0.5);
    expect(encodeFlowValue(v, 'jpeg8')).toBe(Math.fround(q / 127.5 - 1));
    // every code is reachable and the values stay in [−1, 1]
    const seen = new Set<number>();
    for (let v2 = -21; v2 <= 21; v2 += 0.01) seen.add(encodeFlowValue(v2, 'jpeg8'));
    expect(seen.size).toBe(256);
    expect(Math.min(...seen)).toBe(-1);
    expect(Math.max(...seen)).toBe(1);
  });

  it('centre crop 224 of 342×256: top 16, left 59; channels stay (x, y)', () => {
    expect(centreCropOrigin(342, 256)).toEqual({ top: 16, left: 59 });
    const w = 342;
    const h = 256;
    const flow = new Float32Array(w * h * 2);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        flow[(y * w + x) * 2] = (x - 100) / 10; // x channel depends on x
        flow[(y * w + x) * 2 + 1] = -(y - 100) / 10; // y channel on y
      }
    }
    const out = postprocessFlow(flow, w, h);
    expect(out.length).toBe(224 * 224 * 2);
    expect(out[0]).toBe(Math.fround((59 - 100) / 10 / 20));
    expect(out[1]).toBe(Math.fround(-(16 - 100) / 10 / 20));
    const last = (223 * 224 + 223) * 2;
    expect(out[last]).toBe(Math.fround(Math.fround((59 + 223 - 100) / 10) / 20));
    expect(out[last + 1]).toBe(Math.fround(Math.fround(-(16 + 223 - 100) / 10) / 20));
  });

  it('refuses frames smaller than the crop and mis-sized buffers', () => {
    expect(() => postprocessFlow(new Float32Array(200 * 200 * 2), 200, 200)).toThrow(/E_FLOW_CROP/);
    expect(() => postprocessFlow(new Float32Array(10), 342, 256)).toThrow(/E_FLOW_SIZE/);
  });
});
