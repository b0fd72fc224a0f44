/**
 * How far a video is, as one number over its whole work: decoding, flow pairs and feature steps, each weighted
 * by what it costs (measured on the last finished video of this visit, or typical shares before there is one),
 * and from it the speed and the time left. Pure functions over the pipeline's progress reports.
 */
import type { VideoProgress } from '../pipeline/video';

/** Shares of a video's time: decoding, flow, the I3D passes (with their input preparation and writing). */
export interface StageWeights {
  decode: number;
  flow: number;
  i3d: number;
}

/** Typical shares on a CPU (WASM) run with both streams, before any video of this visit finished. */
export const DEFAULT_WEIGHTS: StageWeights = { decode: 0.1, flow: 0.6, i3d: 0.3 };

/** The weights a finished video's meta.json `stageSeconds` imply; null when it says too little. */
export function weightsFromStages(stage: Record<string, number> | undefined, hasFlow: boolean): StageWeights | null {
  if (!stage) return null;
  const decode = stage.decodeWait ?? 0;
  const flow = hasFlow ? (stage.flowWait ?? 0) : 0;
  const i3d = Object.entries(stage)
    .filter(([k]) => k.startsWith('i3d_') || k === 'prepare' || k === 'write')
    .reduce((s, [, v]) => s + v, 0);
  const total = decode + flow + i3d;
  if (!(total > 0.5)) return null; // too short a video to say
  return { decode: decode / total, flow: flow / total, i3d: i3d / total };
}

/** The fraction (0–1) of a video's work done at this report. */
export function videoFraction(p: VideoProgress | undefined, weights: StageWeights = DEFAULT_WEIGHTS): number {
  if (!p || p.stage === 'count') return 0;
  if (p.stage === 'bundle') return 0.99;
  const { decodedFrames, totalFrames, flowPairs, steps, totalSteps } = p;
  const hasFlow = steps.flow !== undefined;
  const w = { decode: weights.decode, flow: hasFlow ? weights.flow : 0, i3d: weights.i3d };
  const sum = w.decode + w.flow + w.i3d || 1;
  const streams = Object.values(steps).map((s) => s ?? 0);
  const stepShare = totalSteps > 0 && streams.length > 0 ? streams.reduce((a, b) => a + b, 0) / (streams.length * totalSteps) : 0;
  const share = (a: number, b: number) => (b > 0 ? Math.min(a / b, 1) : 0);
  const f = (w.decode * share(decodedFrames, totalFrames) + w.flow * share(flowPairs, totalFrames - 1) + w.i3d * stepShare) / sum;
  return Math.min(Math.max(f, 0), 0.99);
}

export interface Rate {
  /** Video frames per second (of the whole work: decoding, flow and features). */
  fps: number | null;
  /** Seconds left; null until it can be told. */
  eta: number | null;
}

/**
 * Speed and time left from where a run started (`from`: its fraction and time) to now. A resumed run starts
 * part way, so its rate counts only what it did itself.
 */
export function rate(from: { fraction: number; at: number }, fraction: number, now: number, frames: number | null): Rate {
  const seconds = (now - from.at) / 1000;
  const done = fraction - from.fraction;
  if (seconds < 1 || done <= 0.005) return { fps: null, eta: null };
  const perSecond = done / seconds;
  return { fps: frames ? (done * frames) / seconds : null, eta: (1 - fraction) / perSecond };
}

/** The queue's overall fraction, each video weighted by its frames (a video of unknown length counts as average). */
export function queueFraction(items: readonly { frames: number | null; fraction: number }[]): number {
  if (items.length === 0) return 0;
  const known = items.filter((i) => i.frames !== null).map((i) => i.frames as number);
  const average = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  let total = 0;
  let done = 0;
  for (const i of items) {
    const w = i.frames ?? average;
    total += w;
    done += w * i.fraction;
  }
  return total > 0 ? done / total : 0;
}
