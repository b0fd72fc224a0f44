import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng';
import { featureLength, samePads, type TemporalPads } from '../model/graph/pads';
import { chunkAt, planChunks, receptiveWindow, stepCount, TEMPORAL_LAYERS } from './geometry';

/**
 * A 1-D stand-in for I3D's time axis: each layer is a random k-tap filter (+ReLU) or a max/avg pool with zero
 * padding, strided as in the network. Exact chunking must reproduce its one-pass output bit for bit.
 */
function makeNet(seed: number) {
  const uniform = mulberry32(seed);
  const rand = () => uniform() * 2 - 1;
  const taps = TEMPORAL_LAYERS.map((L) => Array.from({ length: L.k }, rand));
  return (x: number[], pads: TemporalPads): number[] => {
    let cur = x;
    TEMPORAL_LAYERS.forEach((L, i) => {
      const [f, b] = L.padInput ? pads[L.padInput] : L.fixed!;
      const padded = [...Array(f).fill(0), ...cur, ...Array(b).fill(0)];
      const out: number[] = [];
      for (let j = 0; j * L.s + L.k <= padded.length; j++) {
        const w = padded.slice(j * L.s, j * L.s + L.k);
        if (L.name.startsWith('MaxPool')) out.push(Math.max(...w));
        else if (L.name === 'feature_pool') out.push((w[0] + w[1]) / 2);
        else
          out.push(
            Math.max(
              0,
              w.reduce((acc, v, q) => acc + v * taps[i][q], 0.1),
            ),
          );
      }
      cur = out;
    });
    return cur;
  };
}

describe('temporal geometry', () => {
  it('has the network time axis: conv1 k7 s2, conv2c, 2 mixed, pool4a k3 s2, 5 mixed, pool5a k2 s2, 2 mixed, k2 pooling', () => {
    expect(TEMPORAL_LAYERS.map((l) => `${l.k}/${l.s}`).join(' ')).toBe('7/2 3/1 3/1 3/1 3/2 3/1 3/1 3/1 3/1 3/1 2/2 3/1 3/1 2/1');
  });

  it('gives ceil(n/8) − 1 steps, as the graph does', () => {
    for (let n = 9; n <= 600; n++) {
      expect(stepCount(n)).toBe(Math.ceil(n / 8) - 1);
      expect(featureLength(n, samePads(n))).toBe(stepCount(n));
    }
  });

  it('gives every step a 107-frame receptive window whose position depends on n mod 8', () => {
    const offsets = new Set<string>();
    for (let n = 200; n < 216; n++) {
      const [lo, hi] = receptiveWindow(n, 10);
      expect(hi - lo + 1).toBe(107);
      offsets.add(`${n % 8}:${lo - 80}`);
      expect(receptiveWindow(n, 11)[0] - lo).toBe(8);
    }
    expect(new Set([...offsets].map((o) => o.split(':')[1])).size).toBeGreaterThan(1);
  });

  it('uses the one-pass pads when a chunk is the whole stream', () => {
    for (const n of [9, 10, 16, 17, 64, 355]) {
      const c = chunkAt(n, 0, n);
      expect(c.pads).toEqual(samePads(n));
      expect([c.firstStep, c.steps, c.keepFrom, c.keepTo]).toEqual([0, stepCount(n), 0, stepCount(n)]);
    }
  });

  const net = makeNet(7);
  const lengths = [9, 10, 16, 17, 63, 64, 65, 120, 127, 128, 129, 135, 136, 137, 255, 256, 257, 355, 1000];
  for (const maxFrames of [128, 200, 256]) {
    it(`chunked (≤ ${maxFrames} frames) equals the one pass exactly, around every chunk boundary`, () => {
      const extra = [-8, -7, -1, 0, 1, 7, 8].flatMap((d) => [maxFrames + d, 2 * maxFrames + d]);
      for (const n of [...lengths, ...extra]) {
        const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
        const want = net(x, samePads(n));
        expect(want.length).toBe(stepCount(n));
        const got: number[] = [];
        for (const c of planChunks(n, maxFrames)) {
          expect(c.end - c.start).toBeLessThanOrEqual(maxFrames);
          const out = net(x.slice(c.start, c.end), c.pads);
          expect(out.length).toBe(c.steps);
          expect(featureLength(c.end - c.start, c.pads)).toBe(c.steps);
          got.push(...out.slice(c.keepFrom - c.firstStep, c.keepTo - c.firstStep));
        }
        expect(got).toEqual(want);
      }
    });
  }

  it('refuses chunks shorter than the receptive field', () => {
    expect(() => planChunks(400, 64)).toThrow(/too short/);
  });
});
