import { describe, expect, it } from 'vitest';
import { randomFrames, randomStateDict } from '../../test/model-graph/random-state-dict';
import { extractFeatures, framesToInput, padShortStream, toFeatureLayouts } from './features';
import { buildI3dOnnx } from './graph/i3d-graph';
import { configureOrt, createSession, release } from './ort';

configureOrt({ numThreads: 1 });
const PLANE = 224 * 224;

describe('feature layouts', () => {
  it('frames (n,224,224,C) → input (1,C,n,224,224)', () => {
    const n = 2;
    const C = 3;
    const frames = Float32Array.from({ length: n * PLANE * C }, (_, i) => i);
    const x = framesToInput(frames, n, C);
    for (const [t, y, w, c] of [
      [0, 0, 0, 0],
      [1, 5, 7, 2],
      [1, 223, 223, 1],
      [0, 100, 3, 2],
    ]) {
      expect(x[((c * n + t) * 224 + y) * 224 + w]).toBe(frames[((t * 224 + y) * 224 + w) * C + c]);
    }
    expect(() => framesToInput(frames, 3, C)).toThrow(RangeError);
  });

  it('graph layouts → (T′,F), (T′,7,7,F), (T′,K)', () => {
    const F = 4;
    const K = 3;
    const T = 2;
    const fc = Float32Array.from({ length: F * T }, (_, i) => i); // (1,F,T)
    const map = Float32Array.from({ length: F * T * 49 }, (_, i) => i); // (1,F,T,7,7)
    const logits = Float32Array.from({ length: K * T }, (_, i) => 100 + i); // (1,K,T)
    const out = toFeatureLayouts({ fc, map, logits, steps: T, channels: F, classes: K });
    expect(out.fc[1 * F + 2]).toBe(fc[2 * T + 1]);
    expect(out.logits[1 * K + 2]).toBe(logits[2 * T + 1]);
    // map[t, y, x, c] = raw[c, t, y, x]
    expect(out.map[((1 * 7 + 3) * 7 + 5) * F + 2]).toBe(map[((2 * T + 1) * 7 + 3) * 7 + 5]);
  });

  it('pads streams shorter than 9 frames by repeating the last frame', async () => {
    const C = 2;
    const frames = randomFrames(5, C, 9);
    const p = padShortStream(frames, 5, C);
    expect(p).toMatchObject({ n: 9, added: 4 });
    for (let t = 5; t < 9; t++) expect(p.frames.subarray(t * PLANE * C, (t + 1) * PLANE * C)).toEqual(frames.subarray(4 * PLANE * C));
    expect(padShortStream(p.frames, 9, C).added).toBe(0);
    expect(() => padShortStream(new Float32Array(0), 0, C)).toThrow(RangeError);

    const info = { modality: 'flow' as const, inChannels: C, numClasses: 157, widthDivisor: 8 };
    const s = await createSession(buildI3dOnnx(randomStateDict(info, 4), info, { dtype: 'fp32' }), { device: 'wasm' });
    try {
      const short = await extractFeatures(s, frames, 5, C);
      const padded = await extractFeatures(s, p.frames, 9, C);
      expect(short).toMatchObject({ frames: 5, paddedFrames: 4, steps: 1, channels: 128, classes: 157 });
      expect(short.fc).toEqual(padded.fc);
      expect(short.map).toEqual(padded.map);
      expect(short.logits).toEqual(padded.logits);
    } finally {
      await release(s);
    }
  });
});
