/** Helpers for the model-graph tests: cached input clips, .npy reading, comparisons, model loading. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeNpy, encodeNpy } from '../../src/io/npy';
import { inspectI3d, loadStateDict } from '../../src/model/checkpoint';
import { fromBytes } from '../../src/model/pickle/byte-source';
import type { I3dInfo, StateDict } from '../../src/model/types';
import { CACHE } from '../support/paths';
import { randomFrames } from './random-state-dict';

export const GRAPH_CACHE = join(CACHE, 'model-graph');

/** A random clip (n, 224, 224, C) in [-1, 1] as an .npy under .cache (written once), and its data. */
export async function clip(n: number, channels: number, seed: number): Promise<{ path: string; frames: Float32Array }> {
  const frames = randomFrames(n, channels, seed);
  const path = join(GRAPH_CACHE, `clip-n${n}-c${channels}-s${seed}.npy`);
  if (!existsSync(path)) {
    await mkdir(GRAPH_CACHE, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, encodeNpy(frames, [n, 224, 224, channels]));
    await rename(tmp, path);
  }
  return { path, frames };
}

export async function readNpy(path: string): Promise<{ shape: number[]; data: Float32Array }> {
  const a = decodeNpy(new Uint8Array(await readFile(path)));
  if (!(a.data instanceof Float32Array)) throw new Error(`${path} is not float32`);
  return { shape: a.shape, data: a.data };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Index of the largest time-averaged logit of a (steps, classes) array. */
export function top1(logits: Float32Array, classes: number): number {
  const steps = logits.length / classes;
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < classes; k++) {
    let s = 0;
    for (let t = 0; t < steps; t++) s += logits[t * classes + k];
    if (s > bestValue) {
      bestValue = s;
      best = k;
    }
  }
  return best;
}

/** The largest |fc − spatial mean of map| of (steps, F) and (steps, 7, 7, F) arrays. */
export function fcVersusMapMean(fc: Float32Array, map: Float32Array, channels: number): number {
  const steps = fc.length / channels;
  let m = 0;
  for (let t = 0; t < steps; t++) {
    for (let c = 0; c < channels; c++) {
      let s = 0;
      for (let p = 0; p < 49; p++) s += map[(t * 49 + p) * channels + c];
      m = Math.max(m, Math.abs(s / 49 - fc[t * channels + c]));
    }
  }
  return m;
}

export async function loadCheckpoint(path: string): Promise<{ stateDict: StateDict; info: I3dInfo; format: string }> {
  const { stateDict, format } = await loadStateDict(fromBytes(new Uint8Array(await readFile(path))));
  return { stateDict, info: inspectI3d(stateDict), format };
}
