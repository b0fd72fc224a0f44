/**
 * The PyTorch reference itself, checked against the TypeScript side: the layout table, TF-SAME
 * padding, the feature definitions (T' = ceil(n/8) − 1, fc = spatial mean of map, logits = the
 * logits conv on fc, with the weights our reader loads), on slim (÷8) random-weight checkpoints.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStateDict } from '../../src/model/checkpoint';
import { featureSteps, i3dLayout, i3dUnits, samePad, sameOutSize } from '../../src/model/i3d-layout';
import { fromBytes } from '../../src/model/pickle';
import { decodeNpy, encodeNpy } from '../../src/io/npy';
import type { StateDict } from '../../src/model/types';
import { mulberry32 } from '../support/prng';
import { cachedReferenceFeatures, ensureCheckpoints, REFERENCE_CACHE, type CheckpointSet } from '../support/reference';

describe('layout table', () => {
  it('published widths: block outputs chain to 1024 channels', () => {
    const layout = i3dLayout({ modality: 'rgb', inChannels: 3, numClasses: 400, widthDivisor: 1 });
    const outs = layout.steps.flatMap((s) => (s.kind === 'inception' ? [[s.block.name, s.block.outChannels]] : []));
    expect(outs).toEqual([
      ['Mixed_3b', 256],
      ['Mixed_3c', 480],
      ['Mixed_4b', 512],
      ['Mixed_4c', 512],
      ['Mixed_4d', 512],
      ['Mixed_4e', 528],
      ['Mixed_4f', 832],
      ['Mixed_5b', 832],
      ['Mixed_5c', 1024],
    ]);
    expect(layout.logits.inChannels).toBe(1024);
    // 57 convolutions with BatchNorm + logits, 12.7 M parameters (as the published rgb_imagenet.pt)
    const units = i3dUnits(layout);
    expect(units.length).toBe(58);
    const params = units.reduce(
      (a, u) => a + u.outChannels * u.inChannels * u.kernel[0] * u.kernel[1] * u.kernel[2] + (u.bias ? u.outChannels : 4 * u.outChannels),
      0,
    );
    expect(params).toBe(12_711_824);
  });

  it('every width divided by the divisor, classes not', () => {
    const slim = i3dLayout({ modality: 'flow', inChannels: 2, numClasses: 157, widthDivisor: 8 });
    expect(slim.featureChannels).toBe(128);
    expect(slim.logits.outChannels).toBe(157);
    expect(() => i3dLayout({ modality: 'rgb', inChannels: 3, numClasses: 400, widthDivisor: 16 })).toThrow(RangeError);
  });

  it('TF-SAME padding from the actual size', () => {
    expect(samePad(224, 7, 2)).toEqual([2, 3]); // 224 % 2 == 0 → pad 5
    expect(samePad(9, 7, 2)).toEqual([3, 3]); // 9 % 2 == 1 → pad 6
    expect(samePad(5, 3, 2)).toEqual([1, 1]);
    expect(samePad(4, 3, 2)).toEqual([0, 1]);
    expect(samePad(3, 1, 1)).toEqual([0, 0]);
    expect(samePad(2, 2, 2)).toEqual([0, 0]);
    expect(samePad(1, 2, 2)).toEqual([0, 1]);
    expect(sameOutSize(9, 2)).toBe(5);
    expect([9, 16, 17, 33, 64].map(featureSteps)).toEqual([1, 1, 2, 4, 7]);
  });
});

describe('reference features.py', () => {
  let set: CheckpointSet;
  beforeAll(async () => {
    set = await ensureCheckpoints();
  });

  async function input(n: number, channels: number, seed: number): Promise<string> {
    const rand = mulberry32(seed);
    const data = new Float32Array(n * 224 * 224 * channels).map(() => rand() * 2 - 1);
    const dir = join(REFERENCE_CACHE, 'inputs');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `random-${n}x224x224x${channels}-${seed}.npy`);
    await writeFile(path, encodeNpy(data, [n, 224, 224, channels]));
    return path;
  }

  const load = async (p: string) => decodeNpy(new Uint8Array(await readFile(p)));

  for (const [modality, classes, n] of [
    ['rgb', 400, 9],
    ['flow', 157, 17],
  ] as const) {
    it(`${modality} ${classes}, n = ${n}: shapes, fc = mean(map), logits = W·fc + b with the weights we load`, async () => {
      const ref = set.i3d(modality, classes, 'legacy03');
      const channels = modality === 'rgb' ? 3 : 2;
      const out = await cachedReferenceFeatures(ref.path, await input(n, channels, n));
      const [fc, map, logits] = await Promise.all([load(out.fc), load(out.map), load(out.logits)]);
      const T = featureSteps(n);
      expect(fc.shape).toEqual([T, 128]);
      expect(map.shape).toEqual([T, 7, 7, 128]);
      expect(logits.shape).toEqual([T, classes]);
      const f = fc.data as Float32Array;
      const m = map.data as Float32Array;
      const l = logits.data as Float32Array;
      // not degenerate: features vary over channels, logits have a spread
      expect(Math.max(...f) - Math.min(...f)).toBeGreaterThan(0.5);
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < 128; c++) {
          let sum = 0;
          for (let p = 0; p < 49; p++) sum += m[(t * 49 + p) * 128 + c];
          expect(Math.abs(sum / 49 - f[t * 128 + c])).toBeLessThan(1e-5);
        }
      }
      const { stateDict } = await loadStateDict(fromBytes(new Uint8Array(await readFile(ref.path))));
      const w = (stateDict as StateDict).get('logits.conv3d.weight')?.data as Float32Array;
      const b = (stateDict as StateDict).get('logits.conv3d.bias')?.data as Float32Array;
      let spread = 0;
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < classes; k++) {
          let v = b[k];
          for (let c = 0; c < 128; c++) v += w[k * 128 + c] * f[t * 128 + c];
          expect(Math.abs(v - l[t * classes + k])).toBeLessThan(1e-4);
          spread = Math.max(spread, Math.abs(l[t * classes + k] - l[t * classes]));
        }
      }
      expect(spread).toBeGreaterThan(1);
    });
  }
});
