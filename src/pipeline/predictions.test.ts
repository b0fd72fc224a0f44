import { describe, expect, it } from 'vitest';
import { classNames, parseLabels } from '../io/labels';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../../test/support/paths';
import { activate, predict } from './predictions';

const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('predictions', () => {
  it('averages logits over time, then softmax (Kinetics-size) and takes the top k', () => {
    const logits = Float32Array.from([0, 1, 2, 3, 2, 2, 0, -1]); // 2 steps × 4 classes
    const p = predict({ rgb: { logits, steps: 2, classes: 4 } }, names, 2);
    expect(p.activation).toBe('softmax');
    expect(p.rgb?.map((c) => c.name)).toEqual(['c1', 'c0']); // means [1, 1.5, 1, 1]; ties → lower index
    const want = activate(Float64Array.from([1, 1.5, 1, 1]), 'softmax');
    expect(p.rgb?.[0].score).toBeCloseTo(want[1], 12);
    expect(p.joint).toBeUndefined();
  });

  it('uses sigmoid for Charades (157 classes) and sums the streams before the activation', () => {
    const rgb = new Float32Array(157).fill(-2);
    const flow = new Float32Array(157).fill(-2);
    rgb[5] = 3;
    flow[7] = 4;
    flow[5] = -1;
    const p = predict({ rgb: { logits: rgb, steps: 1, classes: 157 }, flow: { logits: flow, steps: 1, classes: 157 } }, names, 3);
    expect(p.activation).toBe('sigmoid');
    expect(p.rgb?.[0]).toMatchObject({ index: 5, score: 1 / (1 + Math.exp(-3)) });
    expect(p.joint?.map((c) => c.index)).toEqual([5, 7, 0]); // 3 − 1 = −2 + 4: a tie, lower index first
    expect(p.joint?.[0].logit).toBe(2);
  });

  it('names classes from the shipped label files', () => {
    const read = (f: string) => parseLabels(readFileSync(resolve(ROOT, 'public/labels', f), 'utf8'));
    const labels = { charades: read('charades_v1_classes.txt'), kinetics: read('kinetics400_labels.txt') };
    expect(labels.charades).toHaveLength(157);
    expect(labels.charades[0]).toBe('Holding some clothes');
    expect(labels.kinetics).toHaveLength(400);
    expect(classNames(400, labels)[0]).toBe('abseiling');
    expect(classNames(157, labels)[156]).toBe(labels.charades[156]);
    expect(classNames(10, labels)[3]).toBe('class 3');
  });
});
