/**
 * Run an I3D ONNX model (see ./graph/i3d-graph.ts for its contract) on a stream of frames and return
 * the features in the layouts of DESIGN §3.5: fc (T', F), map (T', 7, 7, F), logits (T', K).
 * Pure: no DOM, no Node; the session comes from ./ort.ts.
 */
import { I3D_INPUT_SIZE, I3D_MIN_FRAMES } from './i3d-layout';
import { featureLength, padFeeds, samePads, type TemporalPads } from './graph/pads';
import { run, type FeedTensor, type ModelSession } from './ort';

const PLANE = I3D_INPUT_SIZE * I3D_INPUT_SIZE;

/** The three outputs with their sizes: T' steps, F channels, K classes; the layouts depend on the use. */
export interface FeatureArrays {
  fc: Float32Array;
  map: Float32Array;
  logits: Float32Array;
  steps: number;
  channels: number;
  classes: number;
}

/** Raw graph outputs: fc (1,F,T'), map (1,F,T',7,7), logits (1,K,T'). */
export type RawI3dOutputs = FeatureArrays;

/** DESIGN layouts: fc (steps, channels), map (steps, 7, 7, channels), logits (steps, classes). */
export interface I3dFeatures extends FeatureArrays {
  /** Frames given. */
  frames: number;
  /** Copies of the last frame appended to reach I3D_MIN_FRAMES (0 when n ≥ 9). */
  paddedFrames: number;
}

/** Frames (n, 224, 224, C) → model input (1, C, n, 224, 224). */
export function framesToInput(frames: Float32Array, n: number, channels: number): Float32Array {
  if (frames.length !== n * PLANE * channels) throw new RangeError(`expected ${n}×224×224×${channels} values, got ${frames.length}`);
  const x = new Float32Array(frames.length);
  for (let t = 0; t < n; t++) {
    const src = t * PLANE * channels;
    for (let c = 0; c < channels; c++) {
      const dst = (c * n + t) * PLANE;
      for (let p = 0, s = src + c; p < PLANE; p++, s += channels) x[dst + p] = frames[s];
    }
  }
  return x;
}

/** Repeat the last frame until there are at least `I3D_MIN_FRAMES` (the seed's rule for short streams). */
export function padShortStream(frames: Float32Array, n: number, channels: number): { frames: Float32Array; n: number; added: number } {
  if (n >= I3D_MIN_FRAMES) return { frames, n, added: 0 };
  if (n < 1) throw new RangeError('a stream needs at least one frame');
  const size = PLANE * channels;
  const out = new Float32Array(I3D_MIN_FRAMES * size);
  out.set(frames.subarray(0, n * size));
  const last = frames.subarray((n - 1) * size, n * size);
  for (let t = n; t < I3D_MIN_FRAMES; t++) out.set(last, t * size);
  return { frames: out, n: I3D_MIN_FRAMES, added: I3D_MIN_FRAMES - n };
}

/**
 * One graph run on an input already laid out as (1, C, T, 224, 224), with the given temporal pads
 * (default: the one-pass pads of T). Outputs stay in the graph's layouts.
 */
export async function runI3d(session: ModelSession, x: Float32Array, T: number, channels: number, pads: TemporalPads = samePads(T)): Promise<RawI3dOutputs> {
  const steps = featureLength(T, pads);
  if (steps < 1) throw new RangeError(`${T} frames with these pads give no feature step`);
  const feeds: Record<string, FeedTensor> = { x: { type: 'float32', data: x, dims: [1, channels, T, I3D_INPUT_SIZE, I3D_INPUT_SIZE] } };
  for (const [name, v] of Object.entries(padFeeds(pads))) feeds[name] = { type: 'int64', data: v, dims: [10] };
  const out = await run(session, feeds);
  const { fc, map, logits } = out;
  if (!fc || !map || !logits) throw new Error('model lacks an fc, map or logits output');
  if (fc.dims[2] !== steps) throw new Error(`model gave ${fc.dims[2]} steps, expected ${steps}`);
  return { fc: fc.data, map: map.data, logits: logits.data, steps, channels: fc.dims[1], classes: logits.dims[1] };
}

/** (1, A, T') → (T', A) */
function transposeSteps(data: Float32Array, a: number, steps: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < a; i++) for (let t = 0; t < steps; t++) out[t * a + i] = data[i * steps + t];
  return out;
}

/** (1, F, T', 7, 7) → (T', 7, 7, F) */
function transposeMap(data: Float32Array, f: number, steps: number): Float32Array {
  const cells = data.length / (f * steps); // 49
  const out = new Float32Array(data.length);
  for (let c = 0; c < f; c++) {
    for (let t = 0; t < steps; t++) {
      const src = (c * steps + t) * cells;
      const dst = t * cells * f + c;
      for (let p = 0; p < cells; p++) out[dst + p * f] = data[src + p];
    }
  }
  return out;
}

/** Graph layouts → DESIGN layouts. */
export function toFeatureLayouts(raw: RawI3dOutputs): FeatureArrays {
  return {
    fc: transposeSteps(raw.fc, raw.channels, raw.steps),
    map: transposeMap(raw.map, raw.channels, raw.steps),
    logits: transposeSteps(raw.logits, raw.classes, raw.steps),
    steps: raw.steps,
    channels: raw.channels,
    classes: raw.classes,
  };
}

/**
 * Features of one whole stream in one pass: frames (n, 224, 224, C), normalised as DESIGN §3
 * says. Streams shorter than 9 frames are padded by repeating the last frame (see paddedFrames).
 */
export async function extractFeatures(session: ModelSession, frames: Float32Array, n: number, channels: number): Promise<I3dFeatures> {
  const padded = padShortStream(frames, n, channels);
  const x = framesToInput(padded.frames, padded.n, channels);
  const raw = await runI3d(session, x, padded.n, channels);
  return { ...toFeatureLayouts(raw), frames: n, paddedFrames: padded.added };
}
