/**
 * meta.json: what was computed from what. Pure.
 *
 * Numbering: decoded frames are numbered 0 … n−1 in decode order (every frame once, or the frames of the fps
 * filter). Both streams have n − 1 entries; stream index s is decoded frame s + 1 (RGB: that frame; flow: the
 * flow from frame s to frame s + 1). Times are frame index / fps.
 */
import type { DecodeWarning } from '../decode/frames';
import type { Verification } from '../model/verify';
import { receptiveWindow } from './geometry';
import type { ChunkChoice } from './memory-budget';

export interface StepWindow {
  step: number;
  /** Decoded-frame numbers of the first, centre and last frame of the step's receptive window (real frames only). */
  firstFrame: number;
  centerFrame: number;
  lastFrame: number;
  firstTime: number;
  centerTime: number;
  lastTime: number;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The receptive window of every feature step. `streamFrames` is the model's input length (after padding to 9),
 * `realFrames` the stream's own length (before padding).
 */
export function stepWindows(streamFrames: number, realFrames: number, steps: number, fps: number): StepWindow[] {
  const out: StepWindow[] = [];
  for (let t = 0; t < steps; t++) {
    const [lo, hi] = receptiveWindow(streamFrames, t);
    const clamp = (s: number) => Math.min(Math.max(s, 0), realFrames - 1);
    const first = clamp(lo) + 1;
    const last = clamp(hi) + 1;
    const center = clamp((lo + hi) / 2) + 1;
    out.push({
      step: t,
      firstFrame: first,
      centerFrame: center,
      lastFrame: last,
      firstTime: round6(first / fps),
      centerTime: round6(center / fps),
      lastTime: round6(last / fps),
    });
  }
  return out;
}

export interface StreamMeta {
  /** Stream entries before padding (decoded frames − 1). */
  frames: number;
  /** Copies of the last entry appended to reach 9 (0 if none). */
  paddedFrames: number;
  /** Feature steps T'. */
  steps: number;
  model: { name: string; modality: string; classes: number; dtype: string; compute?: 'fp32' | 'fp16'; widthDivisor: number; sha256?: string };
  /** Where the model ran, and why it fell back if it did. */
  backend: string;
  fallback?: string;
  /**
   * The check of the WebGPU adapter against WASM (../model/verify.ts), when the model was loaded on WebGPU:
   * `maxDiff` is null when a value was not finite; a `fail` verdict moved the model to WASM (see `fallback`).
   */
  verification?: Verification;
  /** Model passes (1 = the whole stream at once). */
  chunks: number;
  files: Record<string, number[]>;
}

export interface VideoMetaJson {
  format: 'i3d-features/1';
  app: string;
  createdAt: string;
  source: { name: string; bytes: number };
  video: {
    decodedFrames: number;
    fps: number;
    /** `native` (every decoded frame) or the rate the user asked for. */
    rate: 'native' | number;
    width: number;
    height: number;
    decodedWidth: number;
    decodedHeight: number;
    duration: number;
    rotation: number;
  };
  /**
   * What the decoder reported (ffmpeg's warnings and errors by kind, and a frame count that differs from the
   * container's); empty when the video decoded cleanly. The features are those of the frames that were decoded.
   */
  decodeWarnings: DecodeWarning[];
  crop: { size: number; top: number; left: number };
  numbering: string;
  flow?: { mode: 'float' | 'jpeg8'; backend: string; algorithm: string; params: Record<string, number>; bound: number };
  streams: Partial<Record<'rgb' | 'flow', StreamMeta>>;
  steps: StepWindow[];
  seconds: Record<string, number>;
  /**
   * Of `seconds.extract`, what the orchestrating thread spent waiting for decoded frames (decodeWait), waiting for
   * flow (flowWait), preparing model inputs (prepare), in I3D per stream (i3d_rgb, i3d_flow) and writing rows (write).
   */
  stageSeconds?: Record<string, number>;
  /**
   * The work of the stages that run beside the orchestrating thread, for an efficiency figure: `decode` the
   * decoder's seconds on the frames (its waits for the consumer left out); `flow` the seconds the CPU flow workers
   * spent computing pairs, summed over the `flowWorkers` workers (absent on WebGPU).
   */
  busySeconds?: { decode?: number; flow?: number; flowWorkers?: number };
  /** An interrupted run that was resumed: the chunk each stream restarted at (the rows before it came from before). */
  resumedFrom?: Partial<Record<'rgb' | 'flow', number>>;
  /** Size and SHA-256 of every other file of the folder (the arrays, predictions.json, the .npz), as written. */
  checksums?: Record<string, { bytes: number; sha256: string }>;
  /**
   * The chunk length (most stream entries per model pass) and why: `explicit` (the user's) or `budget` (the
   * longest whose estimated peak fits the memory budget: the user's, or a share of the device's memory).
   */
  chunking?: ChunkChoice;
}
