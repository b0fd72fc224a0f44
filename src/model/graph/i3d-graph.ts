/**
 * Checkpoint state dict → one ONNX model of InceptionI3d with the three feature outputs.
 *
 * Graph contract (opset 17):
 *   inputs  x            float32 (1, C, T, 224, 224), C = 3 (RGB) or 2 (flow), T ≥ 1 dynamic
 *           pads_conv1a  int64 (10)  ONNX Pad vector of Conv3d_1a_7x7's input
 *           pads_pool4a  int64 (10)  … of MaxPool3d_4a_3x3's input
 *           pads_pool5a  int64 (10)  … of MaxPool3d_5a_2x2's input
 *           (see ./pads.ts: build them with padFeeds(samePads(T)) for a one-pass run)
 *   outputs fc      float32 (1, F, T')        AvgPool3d (2,7,7) s1 over Mixed_5c, computed as the
 *                                             spatial mean of `map` (the same average, one pass less)
 *           map     float32 (1, F, T', 7, 7)  AvgPool3d (2,1,1) s1 over Mixed_5c
 *           logits  float32 (1, K, T')        the `logits` 1×1×1 conv (with bias) on the fc pooling
 *   F = 1024 / widthDivisor, K = classes, T' = (Mixed_5c length) − 1 = ceil(T/8) − 1 with one-pass pads.
 *   Outputs stay in these channel-first layouts; ../features.ts transposes them to DESIGN §3.5's
 *   (T', F), (T', 7, 7, F), (T', K) in ~3 ms for T' = 7 at full width (measured; not worth graph ops).
 *
 * Padding. Spatial sizes are fixed (224 → 112 → 56 → 28 → 14 → 7), so spatial TF-SAME pads are
 * constants; the temporal pads of the three temporally strided layers are graph inputs (see
 * ./pads.ts for why). Symmetric constant pads (every stride-1 k3 conv and the k3 s1 max pools of the
 * inception branches: (1,1) in T, H and W) use the Conv/MaxPool `pads` attribute. For MaxPool this
 * pads with −∞ where pytorch-i3d pads with zeros; the two agree because the pool's input is a ReLU
 * output (≥ 0) and every k3 s1 window contains its real centre value, so max(window ∪ {0}) =
 * max(window). Asymmetric pads (Conv3d_1a spatial (2,3), MaxPool3d_2a/3a/4a spatial (0,1)) and the
 * data-dependent temporal pads are explicit `Pad` ops with zeros (exactly pytorch-i3d's F.pad),
 * because onnxruntime-web's WebGPU kernels reject asymmetric 3-D pads.
 *
 * BatchNorm is folded into the convolution weights and biases (fp32 agreement ~1e-6); ORT fuses
 * Conv+Relu itself at session load.
 *
 * dtypes: `fp32` float weights. `fp16` float16 weight initializers, each followed by a Cast to
 * float (ORT constant-folds the Casts at load, so WASM and WebGPU run float32 compute on
 * fp16-rounded weights); with `compute: 'fp16'` the whole graph computes in float16 instead
 * (x is cast to float16 on entry, outputs cast back to float32) — meant for WebGPU adapters with
 * `shader-f16` (without it the WebGPU EP fails at the first run: "requires f16"); ORT's WASM EP runs
 * it correctly but ~10× slower than float32, so a WASM fallback should load the float32-compute
 * graph (./half-compute.ts derives the fp16-compute graph from a stored fp16 model). `q8` int8
 * weights with a per-output-
 * channel float scale, DequantizeLinear(axis 0) → float Conv (weight-only; activations stay float).
 * Run q8 with the session config `session.disable_quant_qdq = 1` so ORT folds the dequantisation
 * into float weights at load and never rewrites it into integer kernels that only the CPU has.
 */
import { AppError } from '../../errors';
import { I3D_BN_EPS, I3D_INPUT_SIZE, i3dLayout, type I3dLayout, type PoolLayer, type Triple, type UnitLayer } from '../i3d-layout';
import { foldBatchNorm, quantizePerChannelInt8, toFloat16 } from '../quantize';
import { MODEL_DTYPES, type I3dInfo, type ModelDtype, type StateDict } from '../types';
import { ELEM_TYPE, GraphBuilder, readOnnxMetadata } from './onnx-builder';
import { PAD_INPUTS, type PadLayer } from './pads';

/** Bumped whenever the graph contract or its metadata change. */
export const I3D_GRAPH_VERSION = '1';

export type ComputeDtype = 'fp32' | 'fp16';

export interface BuildOptions {
  dtype: ModelDtype;
  /** Arithmetic precision of the graph; `fp16` only with dtype `fp16` (WebGPU with shader-f16). Default `fp32`. */
  compute?: ComputeDtype;
  /** Fold BatchNorm into the convolutions (default). `false` keeps BatchNormalization nodes (fp32 only; for measurements). */
  foldBatchNorm?: boolean;
  /** SHA-256 (hex) of the checkpoint file, recorded in the model's metadata. */
  sourceSha256?: string;
  /** Extra metadata_props entries. */
  metadata?: Record<string, string>;
}

/** The temporally strided layers whose temporal pads are graph inputs. */
const DATA_PADDED: Record<string, PadLayer> = {
  Conv3d_1a_7x7: 'conv1a',
  MaxPool3d_4a_3x3: 'pool4a',
  MaxPool3d_5a_2x2: 'pool5a',
};

function samePadAttr(size: number, k: number, s: number): [number, number] {
  const pad = size % s === 0 ? Math.max(k - s, 0) : Math.max(k - (size % s), 0);
  return [Math.floor(pad / 2), pad - Math.floor(pad / 2)];
}

function floatParam(sd: StateDict, key: string, shape: readonly number[]): Float32Array {
  const t = sd.get(key);
  if (!t) throw new AppError('E_I3D_MISSING', key);
  if (!(t.data instanceof Float32Array)) throw new AppError('E_I3D_SHAPE', `${key} is ${t.dtype}, expected a float tensor`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new AppError('E_I3D_SHAPE', `${key} is ${t.shape.join('x')}, expected ${shape.join('x')}`);
  }
  return t.data;
}

class I3dGraph {
  readonly g = new GraphBuilder();
  /** Spatial size (H = W) of the activation being built. */
  private spatial = I3D_INPUT_SIZE;
  private readonly half: boolean;

  constructor(
    private readonly sd: StateDict,
    private readonly opts: Required<Pick<BuildOptions, 'dtype' | 'compute' | 'foldBatchNorm'>>,
  ) {
    this.half = opts.compute === 'fp16';
  }

  private floatInit(hint: string, dims: readonly number[], data: Float32Array): string {
    return this.half ? this.g.initializer(hint, 'float16', dims, toFloat16(data)) : this.g.initializer(hint, 'float32', dims, data);
  }

  /** The float weight tensor the Conv reads, in the storage form of the dtype. */
  private weight(name: string, data: Float32Array, shape: readonly number[]): string {
    const { dtype } = this.opts;
    if (dtype === 'fp32') return this.g.initializer(`${name}.weight`, 'float32', shape, data);
    if (dtype === 'fp16') {
      const w = this.g.initializer(`${name}.weight_f16`, 'float16', shape, toFloat16(data));
      return this.half ? w : this.g.node('Cast', [w], `${name}.weight`, { to: ELEM_TYPE.float32 });
    }
    const { q, scale } = quantizePerChannelInt8(data, shape[0]);
    const qn = this.g.initializer(`${name}.weight_q8`, 'int8', shape, q);
    const sn = this.g.initializer(`${name}.weight_scale`, 'float32', [shape[0]], scale);
    return this.g.node('DequantizeLinear', [qn, sn], `${name}.weight`, { axis: 0 });
  }

  /** Pads attribute (symmetric) or an explicit Pad node in front of a conv/pool. */
  private padded(x: string, name: string, kernel: Triple, stride: Triple): { x: string; pads: number[] } {
    const [sf, sb] = samePadAttr(this.spatial, kernel[1], stride[1]);
    const dataPad = DATA_PADDED[name];
    if (dataPad) {
      return { x: this.g.node('Pad', [x, PAD_INPUTS[dataPad]], `${name}.pad`, { mode: 'constant' }), pads: [0, 0, 0, 0, 0, 0] };
    }
    if (stride[0] !== 1) throw new Error(`${name}: temporally strided layer without a pads input`);
    const [tf, tb] = samePadAttr(1, kernel[0], 1); // stride 1: k − 1 whatever the length
    if (tf === tb && sf === sb) return { x, pads: [tf, sf, sf, tb, sb, sb] };
    const padsConst = this.g.int64s(`${name}.pads`, [0, 0, tf, sf, sf, 0, 0, tb, sb, sb]);
    return { x: this.g.node('Pad', [x, padsConst], `${name}.pad`, { mode: 'constant' }), pads: [0, 0, 0, 0, 0, 0] };
  }

  private afterStride(stride: Triple): void {
    this.spatial = Math.ceil(this.spatial / stride[1]);
  }

  unit(x: string, u: UnitLayer): string {
    const shape = [u.outChannels, u.inChannels, ...u.kernel];
    const w = floatParam(this.sd, `${u.name}.conv3d.weight`, shape);
    const p = this.padded(x, u.name, u.kernel, u.stride);
    const attrs = { kernel_shape: [...u.kernel], strides: [...u.stride], pads: p.pads };
    this.afterStride(u.stride);
    if (!u.batchNorm) {
      const bias = floatParam(this.sd, `${u.name}.conv3d.bias`, [u.outChannels]);
      return this.g.node('Conv', [p.x, this.weight(u.name, w, shape), this.floatInit(`${u.name}.bias`, [u.outChannels], bias)], u.name, attrs);
    }
    const bn = {
      gamma: floatParam(this.sd, `${u.name}.bn.weight`, [u.outChannels]),
      beta: floatParam(this.sd, `${u.name}.bn.bias`, [u.outChannels]),
      mean: floatParam(this.sd, `${u.name}.bn.running_mean`, [u.outChannels]),
      variance: floatParam(this.sd, `${u.name}.bn.running_var`, [u.outChannels]),
      eps: I3D_BN_EPS,
    };
    let y: string;
    if (this.opts.foldBatchNorm) {
      const f = foldBatchNorm(w, shape, bn);
      y = this.g.node('Conv', [p.x, this.weight(u.name, f.weight, shape), this.floatInit(`${u.name}.bias`, [u.outChannels], f.bias)], u.name, attrs);
    } else {
      const c = this.g.node('Conv', [p.x, this.weight(u.name, w, shape)], `${u.name}.conv`, attrs);
      const n = u.outChannels;
      y = this.g.node(
        'BatchNormalization',
        [
          c,
          this.floatInit(`${u.name}.bn.weight`, [n], bn.gamma),
          this.floatInit(`${u.name}.bn.bias`, [n], bn.beta),
          this.floatInit(`${u.name}.bn.mean`, [n], bn.mean),
          this.floatInit(`${u.name}.bn.var`, [n], bn.variance),
        ],
        `${u.name}.bn`,
        { epsilon: { float: bn.eps } },
      );
    }
    return this.g.node('Relu', [y], `${u.name}.relu`);
  }

  pool(x: string, p: PoolLayer): string {
    const pd = this.padded(x, p.name, p.kernel, p.stride);
    this.afterStride(p.stride);
    return this.g.node('MaxPool', [pd.x], p.name, { kernel_shape: [...p.kernel], strides: [...p.stride], pads: pd.pads });
  }

  build(layout: I3dLayout): void {
    const { g } = this;
    const { info } = layout;
    g.reserve('fc', 'map', 'logits');
    const input = g.input('x', 'float32', [1, info.inChannels, 'T', I3D_INPUT_SIZE, I3D_INPUT_SIZE]);
    for (const name of Object.values(PAD_INPUTS)) g.input(name, 'int64', [10]);
    let h = this.half ? g.node('Cast', [input], 'x_f16', { to: ELEM_TYPE.float16 }) : input;
    for (const step of layout.steps) {
      if (step.kind === 'unit') h = this.unit(h, step.layer);
      else if (step.kind === 'pool') h = this.pool(h, step.layer);
      else {
        const b = step.block;
        const b0 = this.unit(h, b.b0);
        const b1 = this.unit(this.unit(h, b.b1a), b.b1b);
        const b2 = this.unit(this.unit(h, b.b2a), b.b2b);
        const b3 = this.unit(this.pool(h, b.b3a), b.b3b);
        h = g.node('Concat', [b0, b1, b2, b3], b.name, { axis: 1 });
      }
    }
    const F = layout.featureChannels;
    const K = info.numClasses;
    const side = this.spatial; // 7
    const out = (name: 'fc' | 'map' | 'logits', value: string, dims: (number | string)[]) => {
      const v = this.half ? g.node('Cast', [value], { exact: name }, { to: ELEM_TYPE.float32 }) : g.node('Identity', [value], { exact: name });
      g.output(v, 'float32', dims);
    };
    const map = g.node('AveragePool', [h], 'map5d', { kernel_shape: [2, 1, 1], strides: [1, 1, 1] });
    const fc5 = g.node('ReduceMean', [map], 'fc5d', { axes: [3, 4], keepdims: 1 });
    const axes = g.int64s('spatial_axes', [3, 4]);
    const logits5 = this.logits(fc5, layout.logits);
    out('fc', g.node('Squeeze', [fc5, axes], 'fc3d'), [1, F, 'T_out']);
    out('map', map, [1, F, 'T_out', side, side]);
    out('logits', g.node('Squeeze', [logits5, axes], 'logits3d'), [1, K, 'T_out']);
  }

  private logits(x: string, u: UnitLayer): string {
    const shape = [u.outChannels, u.inChannels, ...u.kernel];
    const w = floatParam(this.sd, `${u.name}.conv3d.weight`, shape);
    const bias = floatParam(this.sd, `${u.name}.conv3d.bias`, [u.outChannels]);
    return this.g.node('Conv', [x, this.weight(u.name, w, shape), this.floatInit(`${u.name}.bias`, [u.outChannels], bias)], u.name, {
      kernel_shape: [1, 1, 1],
    });
  }
}

/** Metadata keys written into every model this app builds. */
export interface I3dModelMeta {
  modality: I3dInfo['modality'];
  classes: number;
  inChannels: number;
  widthDivisor: number;
  dtype: ModelDtype;
  compute: ComputeDtype;
  sourceSha256: string;
  graphVersion: string;
}

/** Build the ONNX model (serialised ModelProto bytes). */
export function buildI3dOnnx(stateDict: StateDict, info: I3dInfo, options: BuildOptions): Uint8Array {
  const compute = options.compute ?? 'fp32';
  const fold = options.foldBatchNorm ?? true;
  if (compute === 'fp16' && options.dtype !== 'fp16') throw new Error('fp16 compute needs dtype fp16');
  if (!fold && options.dtype !== 'fp32') throw new Error('unfolded BatchNorm is only built for fp32');
  const layout = i3dLayout(info);
  const graph = new I3dGraph(stateDict, { dtype: options.dtype, compute, foldBatchNorm: fold });
  graph.build(layout);
  const meta: Record<string, string> = {
    ...options.metadata,
    'i3d.producer': 'i3d-browser',
    'i3d.graph_version': I3D_GRAPH_VERSION,
    'i3d.modality': info.modality,
    'i3d.classes': String(info.numClasses),
    'i3d.in_channels': String(info.inChannels),
    'i3d.width_divisor': String(info.widthDivisor),
    'i3d.dtype': options.dtype,
    'i3d.compute': compute,
    'i3d.bn_folded': String(fold),
    'i3d.source_sha256': options.sourceSha256 ?? '',
  };
  return graph.g.encode(`i3d_${info.modality}_${info.numClasses}`, meta, I3D_GRAPH_VERSION);
}

/** The I3D facts an ONNX file made by buildI3dOnnx carries; E_MODEL_FORMAT for any other file. */
export function readI3dModelMeta(bytes: Uint8Array): I3dModelMeta {
  let m: Record<string, string>;
  try {
    m = readOnnxMetadata(bytes);
  } catch (e) {
    throw new AppError('E_MODEL_FORMAT', e instanceof Error ? e.message : String(e));
  }
  if (m['i3d.producer'] !== 'i3d-browser') throw new AppError('E_MODEL_FORMAT', 'no i3d-browser metadata');
  const modality = m['i3d.modality'];
  const dtype = m['i3d.dtype'];
  const compute = m['i3d.compute'];
  if ((modality !== 'rgb' && modality !== 'flow') || !(MODEL_DTYPES as readonly string[]).includes(dtype) || (compute !== 'fp32' && compute !== 'fp16')) {
    throw new AppError('E_MODEL_FORMAT', 'bad i3d metadata');
  }
  return {
    modality,
    classes: Number(m['i3d.classes']),
    inChannels: Number(m['i3d.in_channels']),
    widthDivisor: Number(m['i3d.width_divisor']),
    dtype: dtype as ModelDtype,
    compute,
    sourceSha256: m['i3d.source_sha256'] ?? '',
    graphVersion: m['i3d.graph_version'] ?? '',
  };
}
