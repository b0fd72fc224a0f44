/**
 * The InceptionI3d architecture as data: the one place that holds its layer names, channel widths,
 * kernels and strides (pytorch-i3d names, as in the published checkpoints). Everything else — the
 * checkpoint validator, the ONNX graph builder, tests — derives its view from here.
 *
 * Widths are the published ones divided by `widthDivisor` (1 = published; 8 = a slim model with the
 * identical structure, used by fast tests). The class count is never scaled.
 */
import type { I3dInfo } from './types';

export type Triple = readonly [number, number, number];

/** Conv3d (no bias) → BatchNorm3d(eps 0.001) → ReLU; `logits` is Conv3d with bias only. */
export interface UnitLayer {
  /** State-dict prefix, e.g. `Conv3d_1a_7x7` or `Mixed_3b.b1b`. */
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: Triple;
  stride: Triple;
  /** Has `bn.{weight,bias,running_mean,running_var}` and is followed by ReLU. */
  batchNorm: boolean;
  /** Has `conv3d.bias`. */
  bias: boolean;
}

/** Max pool with TF-SAME zero padding (pytorch-i3d pads with F.pad, i.e. zeros, then pools). */
export interface PoolLayer {
  name: string;
  kernel: Triple;
  stride: Triple;
}

/** Four branches concatenated on channels: b0 1×1; b1a 1×1 → b1b 3×3; b2a 1×1 → b2b 3×3; b3a pool → b3b 1×1. */
export interface InceptionBlock {
  name: string;
  inChannels: number;
  /** [b0, b1a, b1b, b2a, b2b, b3b] output widths. */
  widths: readonly [number, number, number, number, number, number];
  outChannels: number;
  b0: UnitLayer;
  b1a: UnitLayer;
  b1b: UnitLayer;
  b2a: UnitLayer;
  b2b: UnitLayer;
  b3a: PoolLayer;
  b3b: UnitLayer;
}

export type I3dStep = { kind: 'unit'; layer: UnitLayer } | { kind: 'pool'; layer: PoolLayer } | { kind: 'inception'; block: InceptionBlock };

/** Published widths [b0, b1a, b1b, b2a, b2b, b3b] of every inception block, in order. */
export const INCEPTION_WIDTHS: Readonly<Record<string, readonly [number, number, number, number, number, number]>> = {
  Mixed_3b: [64, 96, 128, 16, 32, 32],
  Mixed_3c: [128, 128, 192, 32, 96, 64],
  Mixed_4b: [192, 96, 208, 16, 48, 64],
  Mixed_4c: [160, 112, 224, 24, 64, 64],
  Mixed_4d: [128, 128, 256, 24, 64, 64],
  Mixed_4e: [112, 144, 288, 32, 64, 64],
  Mixed_4f: [256, 160, 320, 32, 128, 128],
  Mixed_5b: [256, 160, 320, 32, 128, 128],
  Mixed_5c: [384, 192, 384, 48, 128, 128],
};

type StemSpec =
  | { kind: 'unit'; name: string; out: number; kernel: Triple; stride: Triple }
  | { kind: 'pool'; name: string; kernel: Triple; stride: Triple }
  | { kind: 'inception'; name: string };

/** The network in order, published widths. */
const SPEC: readonly StemSpec[] = [
  { kind: 'unit', name: 'Conv3d_1a_7x7', out: 64, kernel: [7, 7, 7], stride: [2, 2, 2] },
  { kind: 'pool', name: 'MaxPool3d_2a_3x3', kernel: [1, 3, 3], stride: [1, 2, 2] },
  { kind: 'unit', name: 'Conv3d_2b_1x1', out: 64, kernel: [1, 1, 1], stride: [1, 1, 1] },
  { kind: 'unit', name: 'Conv3d_2c_3x3', out: 192, kernel: [3, 3, 3], stride: [1, 1, 1] },
  { kind: 'pool', name: 'MaxPool3d_3a_3x3', kernel: [1, 3, 3], stride: [1, 2, 2] },
  { kind: 'inception', name: 'Mixed_3b' },
  { kind: 'inception', name: 'Mixed_3c' },
  { kind: 'pool', name: 'MaxPool3d_4a_3x3', kernel: [3, 3, 3], stride: [2, 2, 2] },
  { kind: 'inception', name: 'Mixed_4b' },
  { kind: 'inception', name: 'Mixed_4c' },
  { kind: 'inception', name: 'Mixed_4d' },
  { kind: 'inception', name: 'Mixed_4e' },
  { kind: 'inception', name: 'Mixed_4f' },
  { kind: 'pool', name: 'MaxPool3d_5a_2x2', kernel: [2, 2, 2], stride: [2, 2, 2] },
  { kind: 'inception', name: 'Mixed_5b' },
  { kind: 'inception', name: 'Mixed_5c' },
];

/** Published channel count of Mixed_5c (the features' width). */
export const I3D_FEATURE_CHANNELS = 1024;

/** Width divisors that divide every published width exactly. */
export const SUPPORTED_WIDTH_DIVISORS = [1, 2, 4, 8] as const;

/** The feature poolings over Mixed_5c (AvgPool3d, no padding, stride 1). */
export const FEATURE_POOLS = {
  /** → (T', 1024) after squeezing the 1×1 spatial dims. */
  fc: { kernel: [2, 7, 7] as Triple, stride: [1, 1, 1] as Triple },
  /** → (T', 7, 7, 1024) as T,H,W,C. */
  map: { kernel: [2, 1, 1] as Triple, stride: [1, 1, 1] as Triple },
} as const;

/** Spatial input size the features are defined for (Mixed_5c is then 7×7). */
export const I3D_INPUT_SIZE = 224;

/** Streams shorter than this are padded (by repeating their last frame) before the model: T' = ceil(n/8) − 1 ≥ 1. */
export const I3D_MIN_FRAMES = 9;

/** Number of feature steps for a stream of n ≥ 9 frames. */
export function featureSteps(n: number): number {
  return Math.ceil(n / 8) - 1;
}

/**
 * TF "SAME" padding of one dimension as pytorch-i3d computes it from the actual input size:
 * pad = max(k − s, 0) if size % s == 0 else max(k − size % s, 0); front pad // 2, back the rest.
 */
export function samePad(size: number, kernel: number, stride: number): [front: number, back: number] {
  const pad = size % stride === 0 ? Math.max(kernel - stride, 0) : Math.max(kernel - (size % stride), 0);
  const front = Math.floor(pad / 2);
  return [front, pad - front];
}

/** Output size of one dimension after SAME padding and a conv/pool of (kernel, stride): ceil(size / stride). */
export function sameOutSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

function checkDivisor(widthDivisor: number): void {
  if (!(SUPPORTED_WIDTH_DIVISORS as readonly number[]).includes(widthDivisor)) {
    throw new RangeError(`I3D width divisor must be one of ${SUPPORTED_WIDTH_DIVISORS.join(', ')}, got ${widthDivisor}`);
  }
}

function unit(name: string, inChannels: number, outChannels: number, kernel: Triple, stride: Triple = [1, 1, 1]): UnitLayer {
  return { name, inChannels, outChannels, kernel, stride, batchNorm: true, bias: false };
}

const ONE: Triple = [1, 1, 1];
const THREE: Triple = [3, 3, 3];

function inception(name: string, inChannels: number, d: number): InceptionBlock {
  const w = INCEPTION_WIDTHS[name].map((x) => x / d) as unknown as InceptionBlock['widths'];
  const [c0, c1a, c1b, c2a, c2b, c3b] = w;
  return {
    name,
    inChannels,
    widths: w,
    outChannels: c0 + c1b + c2b + c3b,
    b0: unit(`${name}.b0`, inChannels, c0, ONE),
    b1a: unit(`${name}.b1a`, inChannels, c1a, ONE),
    b1b: unit(`${name}.b1b`, c1a, c1b, THREE),
    b2a: unit(`${name}.b2a`, inChannels, c2a, ONE),
    b2b: unit(`${name}.b2b`, c2a, c2b, THREE),
    b3a: { name: `${name}.b3a`, kernel: THREE, stride: ONE },
    b3b: unit(`${name}.b3b`, inChannels, c3b, ONE),
  };
}

export interface I3dLayout {
  info: I3dInfo;
  /** Conv stem, pools and inception blocks up to Mixed_5c, in order. */
  steps: I3dStep[];
  /** Channel count of Mixed_5c (1024 / widthDivisor). */
  featureChannels: number;
  /** The 1×1×1 classifier with bias, applied to the `fc` pooling. */
  logits: UnitLayer;
}

/** The full layer layout for a model with the given input channels, classes and width divisor. */
export function i3dLayout(info: I3dInfo): I3dLayout {
  checkDivisor(info.widthDivisor);
  const d = info.widthDivisor;
  const steps: I3dStep[] = [];
  let channels = info.inChannels;
  for (const s of SPEC) {
    if (s.kind === 'unit') {
      const layer = unit(s.name, channels, s.out / d, s.kernel, s.stride);
      steps.push({ kind: 'unit', layer });
      channels = layer.outChannels;
    } else if (s.kind === 'pool') {
      steps.push({ kind: 'pool', layer: { name: s.name, kernel: s.kernel, stride: s.stride } });
    } else {
      const block = inception(s.name, channels, d);
      steps.push({ kind: 'inception', block });
      channels = block.outChannels;
    }
  }
  const logits: UnitLayer = {
    name: 'logits',
    inChannels: channels,
    outChannels: info.numClasses,
    kernel: ONE,
    stride: ONE,
    batchNorm: false,
    bias: true,
  };
  return { info, steps, featureChannels: channels, logits };
}

/** Every Unit3D (with parameters) in state-dict order, including inception branches and `logits`. */
export function i3dUnits(layout: I3dLayout): UnitLayer[] {
  const out: UnitLayer[] = [];
  for (const s of layout.steps) {
    if (s.kind === 'unit') out.push(s.layer);
    else if (s.kind === 'inception') {
      const b = s.block;
      out.push(b.b0, b.b1a, b.b1b, b.b2a, b.b2b, b.b3b);
    }
  }
  out.push(layout.logits);
  return out;
}

/** Expected parameter tensors (key → shape), in state-dict order; `num_batches_tracked` is not listed. */
export function i3dParameterShapes(layout: I3dLayout): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const u of i3dUnits(layout)) {
    shapes.set(`${u.name}.conv3d.weight`, [u.outChannels, u.inChannels, ...u.kernel]);
    if (u.bias) shapes.set(`${u.name}.conv3d.bias`, [u.outChannels]);
    if (u.batchNorm) {
      for (const p of ['weight', 'bias', 'running_mean', 'running_var']) shapes.set(`${u.name}.bn.${p}`, [u.outChannels]);
    }
  }
  return shapes;
}

/** BatchNorm epsilon of every Unit3D. */
export const I3D_BN_EPS = 0.001;
