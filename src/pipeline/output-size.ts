/**
 * How many bytes a video's results will take, before it runs: the .npy arrays of each stream (fc, map, logits)
 * and their copy in features.npz, plus a margin for headers and the JSON files. Pure.
 */
import { I3D_MIN_FRAMES } from '../model/i3d-layout';
import { stepCount } from './geometry';

export interface StreamShape {
  classes: number;
  featureChannels: number;
}

const MAP_CELLS = 7 * 7;
const MARGIN = 64 * 1024;

/** Decoded frames → bytes of the results (every array twice: the .npy and its copy in the .npz). */
export function estimateOutputBytes(decodedFrames: number, streams: readonly StreamShape[]): number {
  const steps = stepCount(Math.max(decodedFrames - 1, I3D_MIN_FRAMES));
  let floats = 0;
  for (const s of streams) floats += steps * (s.featureChannels * (1 + MAP_CELLS) + s.classes);
  return 2 * 4 * floats + MARGIN;
}

/** The frames a decode will give, as far as the probe says: null when it cannot tell. */
export function expectedFrames(probe: { frameCount: number | null; duration: number }, fps: number | null, maxFrames: number | null): number | null {
  const n = fps === null ? probe.frameCount : Number.isFinite(probe.duration) ? Math.ceil(probe.duration * fps) : null;
  if (n === null) return maxFrames;
  return maxFrames === null ? n : Math.min(n, maxFrames);
}
