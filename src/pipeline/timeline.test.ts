import { describe, expect, it } from 'vitest';
import { activate } from './predictions';
import { buildTimeline, timelineStreams } from './timeline';

// 3 steps × 4 classes
const rgb = { logits: Float32Array.from([0, 1, 2, 3, 1, 1, 1, 1, 3, 2, 1, 0]), steps: 3, classes: 4 };
const flow = { logits: Float32Array.from([1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 4]), steps: 3, classes: 4 };
const follow = [
  { index: 3, name: 'c3' },
  { index: 0, name: 'c0' },
];

describe('buildTimeline', () => {
  it('softmaxes each step of each stream and keeps the followed classes, in their order', () => {
    const t = buildTimeline({ rgb, flow }, follow, [0.5, 1, 1.5]);
    expect(t.activation).toBe('softmax');
    expect(t.times).toEqual([0.5, 1, 1.5]);
    expect(t.classes).toEqual(follow);
    const step0 = activate(Float64Array.from([0, 1, 2, 3]), 'softmax');
    expect(t.scores.rgb?.[0][0]).toBeCloseTo(step0[3], 12);
    expect(t.scores.rgb?.[1][0]).toBeCloseTo(step0[0], 12);
    expect(t.scores.rgb?.[0][1]).toBeCloseTo(0.25, 12); // all equal logits
    expect(t.scores.flow?.[0]).toHaveLength(3);
    expect(timelineStreams(t)).toEqual(['joint', 'rgb', 'flow']);
  });

  it('joint: the activation of the sum of both streams’ logits at each step', () => {
    const t = buildTimeline({ rgb, flow }, follow, [0.5, 1, 1.5]);
    const want = activate(Float64Array.from([3, 2, 1, 4]), 'softmax'); // step 2
    expect(t.scores.joint?.[0][2]).toBeCloseTo(want[3], 12);
    expect(t.scores.joint?.[1][2]).toBeCloseTo(want[0], 12);
  });

  it('sigmoid for 157 classes (Charades), one stream only: no joint', () => {
    const logits = new Float32Array(2 * 157);
    logits[5] = 2;
    const t = buildTimeline({ flow: { logits, steps: 2, classes: 157 } }, [{ index: 5, name: 'x' }], [1, 2]);
    expect(t.activation).toBe('sigmoid');
    expect(t.scores.flow?.[0]).toEqual([1 / (1 + Math.exp(-2)), 0.5]);
    expect(t.scores.joint).toBeUndefined();
    expect(timelineStreams(t)).toEqual(['flow']);
  });

  it('cuts to the shorter of the steps and the times', () => {
    const t = buildTimeline({ rgb }, follow, [0.5, 1]);
    expect(t.times).toEqual([0.5, 1]);
    expect(t.scores.rgb?.[0]).toHaveLength(2);
  });
});
