import { describe, expect, it } from 'vitest';
import type { VideoProgress } from '../pipeline/video';
import { DEFAULT_WEIGHTS, queueFraction, rate, videoFraction, weightsFromStages } from './progress';
import { sameFile } from './saved-queue';

const extract = (p: Partial<Extract<VideoProgress, { stage: 'extract' }>>): VideoProgress => ({
  stage: 'extract',
  decodedFrames: 0,
  totalFrames: 101,
  flowPairs: 0,
  steps: { rgb: 0, flow: 0 },
  totalSteps: 12,
  chunks: {},
  totalChunks: 1,
  ...p,
});

describe('progress over the whole work', () => {
  it('moves with decoding and flow before the first feature step', () => {
    const early = videoFraction(extract({ decodedFrames: 30, flowPairs: 20 }));
    expect(early).toBeGreaterThan(0.1);
    expect(early).toBeLessThan(0.3);
    expect(videoFraction(extract({ decodedFrames: 101, flowPairs: 100, steps: { rgb: 12, flow: 12 } }))).toBe(0.99);
    expect(videoFraction({ stage: 'count' })).toBe(0);
    expect(videoFraction(undefined)).toBe(0);
  });

  it('leaves out the flow weight for an RGB-only run', () => {
    const rgbOnly = videoFraction(extract({ decodedFrames: 101, steps: { rgb: 6 } }));
    // decode done (0.1) + half the steps (0.15) of 0.4
    expect(rgbOnly).toBeCloseTo(0.25 / 0.4, 5);
  });

  it('weights from a finished video’s stage seconds', () => {
    expect(weightsFromStages({ decodeWait: 1, flowWait: 6, i3d_rgb: 2, i3d_flow: 0.5, prepare: 0.3, write: 0.2 }, true)).toEqual({
      decode: 0.1,
      flow: 0.6,
      i3d: 0.3,
    });
    expect(weightsFromStages({ decodeWait: 0.1 }, true)).toBeNull();
    expect(weightsFromStages(undefined, true)).toBeNull();
    expect(DEFAULT_WEIGHTS.decode + DEFAULT_WEIGHTS.flow + DEFAULT_WEIGHTS.i3d).toBeCloseTo(1);
  });

  it('speed and time left count from where the run (or a resumed run) started', () => {
    expect(rate({ fraction: 0, at: 0 }, 0.25, 10_000, 400)).toEqual({ fps: 10, eta: 30 });
    // resumed at 50%: 10 s for another 25%
    expect(rate({ fraction: 0.5, at: 0 }, 0.75, 10_000, 400)).toEqual({ fps: 10, eta: 10 });
    expect(rate({ fraction: 0, at: 0 }, 0.25, 500, 400)).toEqual({ fps: null, eta: null });
  });

  it('the queue’s fraction weights videos by their frames', () => {
    expect(
      queueFraction([
        { frames: 100, fraction: 1 },
        { frames: 300, fraction: 0 },
      ]),
    ).toBeCloseTo(0.25);
    expect(
      queueFraction([
        { frames: 100, fraction: 1 },
        { frames: null, fraction: 0 },
      ]),
    ).toBeCloseTo(0.5);
    expect(queueFraction([])).toBe(0);
  });

  it('a dropped file is the saved video when name, size and date match', () => {
    const saved = { name: 'a.mp4', bytes: 10, lastModified: 5 };
    expect(sameFile({ name: 'a.mp4', size: 10, lastModified: 5 }, saved)).toBe(true);
    expect(sameFile({ name: 'a.mp4', size: 11, lastModified: 5 }, saved)).toBe(false);
    expect(sameFile({ name: 'a.mp4', size: 10, lastModified: 6 }, saved)).toBe(false);
  });
});
