/**
 * The temporal padding contract of the I3D graph.
 *
 * pytorch-i3d pads every conv/pool with TensorFlow "SAME" padding computed from the actual input
 * size. The spatial input is always 224×224, so every spatial pad is a constant baked into the
 * graph. Temporally, stride-1 layers (all k3 and k1 layers) always pad (1,1) resp. (0,0), whatever
 * the length. Only the three temporally strided layers have length-dependent pads:
 *
 *   Conv3d_1a_7x7    k7 s2, input length T
 *   MaxPool3d_4a_3x3 k3 s2, input length ceil(T/2)
 *   MaxPool3d_5a_2x2 k2 s2, input length ceil(T/4)
 *
 * Their temporal pads are DATA: three int64 graph inputs, each the 10-element `pads` of an ONNX
 * `Pad` over the 5-D activation ([N,C,T,H,W] begins then ends). So ONE graph serves every length,
 * and a caller can run a long stream in overlapping chunks with pads chosen so that each chunk's
 * strided grid lines up with the one-pass grid (interior chunk edges get 0 pad). `samePads(T)`
 * gives the one-pass values; `padFeeds` turns temporal pads into the three input tensors (the
 * spatial entries are fixed and filled in here, the caller only chooses temporal pads).
 */
import { samePad } from '../i3d-layout';

/** Graph input names of the three pads tensors (int64, shape [10]). */
export const PAD_INPUTS = {
  conv1a: 'pads_conv1a',
  pool4a: 'pads_pool4a',
  pool5a: 'pads_pool5a',
} as const;

export type PadLayer = keyof typeof PAD_INPUTS;

/** Temporal [front, back] zero padding of each temporally strided layer. */
export type TemporalPads = Record<PadLayer, readonly [number, number]>;

/** Temporal kernel and stride of the three layers whose temporal pads are inputs. */
export const STRIDED_LAYERS: Record<PadLayer, { kernel: number; stride: number }> = {
  conv1a: { kernel: 7, stride: 2 },
  pool4a: { kernel: 3, stride: 2 },
  pool5a: { kernel: 2, stride: 2 },
};

/**
 * Fixed spatial [front, back] pads of those layers at 224×224 input (H and W alike):
 * Conv3d_1a k7 s2 on 224 → (2,3); MaxPool3d_4a k3 s2 on 28 → (0,1); MaxPool3d_5a k2 s2 on 14 → (0,0).
 */
export const SPATIAL_PADS: Record<PadLayer, readonly [number, number]> = {
  conv1a: samePad(224, 7, 2),
  pool4a: samePad(28, 3, 2),
  pool5a: samePad(14, 2, 2),
};

function outLength(size: number, pads: readonly [number, number], kernel: number, stride: number): number {
  return Math.floor((size + pads[0] + pads[1] - kernel) / stride) + 1;
}

/** Temporal lengths seen by each strided layer, and the Mixed_5c length, for an input of T frames. */
export function temporalLengths(T: number, pads: TemporalPads): { conv1a: number; pool4a: number; pool5a: number; mixed5c: number } {
  const c = STRIDED_LAYERS;
  const afterConv1a = outLength(T, pads.conv1a, c.conv1a.kernel, c.conv1a.stride);
  const afterPool4a = outLength(afterConv1a, pads.pool4a, c.pool4a.kernel, c.pool4a.stride);
  const afterPool5a = outLength(afterPool4a, pads.pool5a, c.pool5a.kernel, c.pool5a.stride);
  return { conv1a: T, pool4a: afterConv1a, pool5a: afterPool4a, mixed5c: afterPool5a };
}

/** Number of feature steps (T') the graph produces for T frames with these pads: Mixed_5c length − 1. */
export function featureLength(T: number, pads: TemporalPads): number {
  return temporalLengths(T, pads).mixed5c - 1;
}

/** The one-pass (whole stream as one clip) TF-SAME temporal pads for T input frames, as pytorch-i3d pads. */
export function samePads(T: number): TemporalPads {
  const conv1a = samePad(T, 7, 2);
  const t4 = Math.ceil(T / 2);
  const pool4a = samePad(t4, 3, 2);
  const t5 = Math.ceil(t4 / 2);
  const pool5a = samePad(t5, 2, 2);
  return { conv1a, pool4a, pool5a };
}

/** The 10-element ONNX Pad vector ([N,C,T,H,W] begins, then ends) for one layer. */
export function padVector(layer: PadLayer, temporal: readonly [number, number]): BigInt64Array {
  const [sf, sb] = SPATIAL_PADS[layer];
  const [tf, tb] = temporal;
  if (!(Number.isInteger(tf) && Number.isInteger(tb) && tf >= 0 && tb >= 0)) {
    throw new RangeError(`temporal pads of ${layer} must be non-negative integers, got ${tf}, ${tb}`);
  }
  return BigInt64Array.from([0, 0, tf, sf, sf, 0, 0, tb, sb, sb], (v) => BigInt(v));
}

/** The three pads inputs of the graph, by input name. */
export function padFeeds(pads: TemporalPads): Record<(typeof PAD_INPUTS)[PadLayer], BigInt64Array> {
  return {
    [PAD_INPUTS.conv1a]: padVector('conv1a', pads.conv1a),
    [PAD_INPUTS.pool4a]: padVector('pool4a', pads.pool4a),
    [PAD_INPUTS.pool5a]: padVector('pool5a', pads.pool5a),
  } as Record<(typeof PAD_INPUTS)[PadLayer], BigInt64Array>;
}
