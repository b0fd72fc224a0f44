/**
 * The temporal geometry of I3D over a stream of N frames: which input frames each feature step sees, and how to
 * run a long stream in overlapping chunks that give exactly the one-pass features.
 *
 * Only the time axis matters here. Every layer is a window (kernel k, stride s) over its input sequence with
 * zero padding; an inception block is one k3 s1 window (each branch reaches ±1 frame); the feature pooling is
 * k2 s1 without padding. In the one pass, layer l's output j reads input positions s·j − f … s·j − f + k − 1
 * (f = the one-pass front pad; positions outside the sequence are zeros).
 *
 * A chunk feeds input frames [a, b) and chooses the front pad of each strided layer so that its strided grid
 * lies on the one-pass grid: chunk output j' is one-pass output j' + o_l with o_l = (o_{l−1} + f − f')/s, so
 * f' ≡ o_{l−1} + f (mod s). A chunk that starts at the stream's start uses the one-pass front pads, one that ends
 * at the stream's end the one-pass back pads; interior edges get the smallest pads that keep the grid. An output
 * equals the one-pass output when every real position its window reads is itself exact; chunk edges make a
 * few outputs inexact, and those are dropped — the overlap between chunks covers the receptive field.
 */
import { i3dLayout } from '../model/i3d-layout';
import { samePad } from '../model/i3d-layout';
import type { PadLayer, TemporalPads } from '../model/graph/pads';

interface TemporalLayer {
  name: string;
  k: number;
  s: number;
  /** One of the graph's data-padded layers (TF-SAME from its input length in the one pass). */
  padInput?: PadLayer;
  /** Fixed [front, back] pads of the other layers. */
  fixed?: readonly [number, number];
}

const PAD_INPUT_OF: Record<string, PadLayer> = {
  Conv3d_1a_7x7: 'conv1a',
  MaxPool3d_4a_3x3: 'pool4a',
  MaxPool3d_5a_2x2: 'pool5a',
};

/** The network's time axis, in order, ending with the k2 s1 feature pooling. Derived from the layer table. */
export const TEMPORAL_LAYERS: readonly TemporalLayer[] = (() => {
  const out: TemporalLayer[] = [];
  for (const step of i3dLayout({ modality: 'rgb', inChannels: 3, numClasses: 1, widthDivisor: 1 }).steps) {
    if (step.kind === 'inception') {
      out.push({ name: step.block.name, k: 3, s: 1, fixed: [1, 1] });
      continue;
    }
    const { name, kernel, stride } = step.layer;
    const [k, s] = [kernel[0], stride[0]];
    if (k === 1 && s === 1) continue; // no effect on time
    const padInput = PAD_INPUT_OF[name];
    if (padInput) out.push({ name, k, s, padInput });
    else if (s === 1) out.push({ name, k, s, fixed: samePad(1, k, 1) });
    else throw new Error(`unexpected temporally strided layer ${name}`);
  }
  out.push({ name: 'feature_pool', k: 2, s: 1, fixed: [0, 0] });
  return out;
})();

const outLen = (n: number, k: number, s: number, f: number, b: number) => Math.floor((n + f + b - k) / s) + 1;

/** Per layer: input length and one-pass [front, back] pads, for a stream of n frames. */
function onePass(n: number): { len: number; pads: [number, number] }[] {
  const out: { len: number; pads: [number, number] }[] = [];
  let len = n;
  for (const L of TEMPORAL_LAYERS) {
    const pads: [number, number] = L.padInput ? samePad(len, L.k, L.s) : [L.fixed![0], L.fixed![1]];
    out.push({ len, pads });
    len = outLen(len, L.k, L.s, pads[0], pads[1]);
  }
  return out;
}

/** Feature steps of a one-pass run over n frames (n ≥ 9): ceil(n/8) − 1. */
export function stepCount(n: number): number {
  const layers = onePass(n);
  const last = layers[layers.length - 1];
  const L = TEMPORAL_LAYERS[TEMPORAL_LAYERS.length - 1];
  return outLen(last.len, L.k, L.s, last.pads[0], last.pads[1]);
}

/** Stream positions [first, last] (may reach outside [0, n)) that feature step t's receptive window covers. */
export function receptiveWindow(n: number, t: number): [number, number] {
  const layers = onePass(n);
  let lo = t;
  let hi = t;
  for (let i = TEMPORAL_LAYERS.length - 1; i >= 0; i--) {
    const { k, s } = TEMPORAL_LAYERS[i];
    const f = layers[i].pads[0];
    lo = s * lo - f;
    hi = s * hi - f + k - 1;
  }
  return [lo, hi];
}

export interface Chunk {
  /** Stream frames [start, end) fed to the model. */
  start: number;
  end: number;
  /** Temporal pads of the graph's three data-padded layers. */
  pads: TemporalPads;
  /** Feature steps the chunk's output holds: one-pass steps [firstStep, firstStep + steps). */
  firstStep: number;
  steps: number;
  /** The exact one-pass steps [keepFrom, keepTo) this chunk contributes (a sub-range of its output). */
  keepFrom: number;
  keepTo: number;
}

/** Simulates the chunk [a, b) layer by layer: its pads, its output range, and which outputs are exact. */
export function chunkAt(n: number, a: number, b: number): Chunk {
  if (!(0 <= a && a < b && b <= n)) throw new RangeError(`bad chunk [${a}, ${b}) of ${n}`);
  const layers = onePass(n);
  const pads: Partial<Record<PadLayer, readonly [number, number]>> = {};
  let offset = a; // one-pass index of chunk position 0 at the current layer's input
  let count = b - a;
  let exact: [number, number] = [a, b]; // exact one-pass positions held by the chunk
  TEMPORAL_LAYERS.forEach((L, i) => {
    const {
      len,
      pads: [f, bk],
    } = layers[i];
    let front: number;
    let back: number;
    if (L.padInput) {
      front = offset === 0 ? f : (((offset + f) % L.s) + L.s) % L.s;
      back = offset + count === len ? bk : 0;
      pads[L.padInput] = [front, back];
    } else {
      [front, back] = [f, bk];
    }
    const nextOffset = (offset + f - front) / L.s;
    if (!Number.isInteger(nextOffset)) throw new Error(`grid misaligned at ${L.name}`);
    const nextCount = outLen(count, L.k, L.s, front, back);
    // output j (one-pass index) is exact when every in-sequence position of its window is exact
    const isExact = (j: number) => {
      const lo = Math.max(L.s * j - f, 0);
      const hi = Math.min(L.s * j - f + L.k - 1, len - 1);
      return lo >= exact[0] && hi < exact[1];
    };
    let lo = nextOffset;
    const end = nextOffset + nextCount;
    while (lo < end && !isExact(lo)) lo++;
    let hi = lo;
    while (hi < end && isExact(hi)) hi++;
    exact = [lo, hi];
    offset = nextOffset;
    count = nextCount;
  });
  return {
    start: a,
    end: b,
    pads: pads as TemporalPads,
    firstStep: offset,
    steps: count,
    keepFrom: exact[0],
    keepTo: exact[1],
  };
}

/**
 * Chunks of at most `maxFrames` stream frames whose kept steps tile [0, stepCount(n)) in order. With
 * n ≤ maxFrames this is the one pass.
 */
export function planChunks(n: number, maxFrames: number): Chunk[] {
  const total = stepCount(n);
  if (n <= maxFrames) return [{ ...chunkAt(n, 0, n), keepFrom: 0, keepTo: total }];
  const chunks: Chunk[] = [];
  let next = 0;
  while (next < total) {
    const [lo] = receptiveWindow(n, next);
    const a = Math.max(0, Math.min(lo, n - maxFrames));
    const c = chunkAt(n, a, Math.min(n, a + maxFrames));
    if (c.keepFrom > next || c.keepTo <= next) {
      throw new Error(`chunk of ${maxFrames} frames is too short for the receptive field (step ${next})`);
    }
    chunks.push({ ...c, keepFrom: next });
    next = c.keepTo;
  }
  return chunks;
}
