/**
 * Weight transforms applied when a checkpoint becomes an ONNX model: BatchNorm folding, float16
 * conversion and symmetric per-output-channel int8 quantisation. Pure functions on typed arrays.
 */

/** A convolution's parameters after BatchNorm folding: y = conv(x, weight) + bias. */
export interface FoldedConv {
  /** (outChannels, inChannels, kT, kH, kW), C order. */
  weight: Float32Array;
  shape: number[];
  bias: Float32Array;
}

export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  eps: number;
}

/**
 * Fold an inference-mode BatchNorm into the preceding bias-free convolution:
 * w' = w·γ/√(σ²+ε) per output channel, b' = β − μ·γ/√(σ²+ε). Computed in float64, stored as float32.
 */
export function foldBatchNorm(weight: Float32Array, shape: readonly number[], bn: BatchNormParams): FoldedConv {
  const out = shape[0];
  const per = weight.length / out;
  const folded = new Float32Array(weight.length);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const scale = bn.gamma[o] / Math.sqrt(bn.variance[o] + bn.eps);
    bias[o] = bn.beta[o] - bn.mean[o] * scale;
    const base = o * per;
    for (let i = 0; i < per; i++) folded[base + i] = weight[base + i] * scale;
  }
  return { weight: folded, shape: [...shape], bias };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of one number, rounding to nearest even (overflow → ±Inf, NaN kept). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // rounds to ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let h = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h; // may carry into the smallest normal, which is the right encoding
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // carry may reach Inf: correct
  return sign | h;
}

/** Value of binary16 bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]);
  return out;
}

/** Symmetric per-output-channel int8 weights: w ≈ q·scale[o], q ∈ [−127, 127], zero point 0. */
export interface QuantizedWeight {
  q: Int8Array;
  scale: Float32Array;
}

export function quantizePerChannelInt8(weight: Float32Array, outChannels: number): QuantizedWeight {
  const per = weight.length / outChannels;
  const q = new Int8Array(weight.length);
  const scale = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const base = o * per;
    let max = 0;
    for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(weight[base + i]));
    // an all-zero channel gets scale 1 so that DequantizeLinear never sees 0
    const s = max > 0 ? max / 127 : 1;
    scale[o] = s;
    const sf = scale[o]; // the float32 value the model will multiply by
    for (let i = 0; i < per; i++) q[base + i] = Math.max(-127, Math.min(127, Math.round(weight[base + i] / sf)));
  }
  return { q, scale };
}
