/**
 * The WASM-tuned form of a stored I3D model (made by buildI3dOnnx), derived when a session opens (like
 * ./half-compute.ts), so the app stores one file per dtype and WebGPU keeps the stored graph. onnxruntime-web's
 * CPU Conv is im2col + an SGEMM that already runs near WASM SIMD's peak, so this graph does fewer multiply-adds
 * (./winograd.ts): Conv3d_1a becomes F(4×4, 4×4) on its 2×2 spatial phases (525 → 257 per output instead of
 * 1029), every 3×3×3 stride-1 conv F(4×4, 3×3) (6.75 per output and input channel instead of 27; sizes 14 and 7
 * padded to 16 and 8). Same outputs up to float rounding (see the tests); about 2× faster end to end.
 *
 * Weights are read as ORT would use them: float32 initializers; float16 initializers behind a Cast; int8
 * behind DequantizeLinear (per-output-channel scale, axis 0, no zero point) → q·scale in float32. Graphs with
 * float16 compute are returned unchanged (that graph is for WebGPU).
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { AppError } from '../../errors';
import { i3dLayout } from '../i3d-layout';
import { float16Value } from '../quantize';
import type { I3dInfo } from '../types';
import { readI3dModelMeta } from './i3d-graph';
import { attribute, ELEM_TYPE, type AttrValue } from './onnx-builder';
import { emitWinogradConv, emitWinogradStem, type GraphEmitter } from './winograd';

const { onnx } = onnxProto;

/** Spatial input size (H = W) of every 3×3×3 stride-1 unit, by layer name. */
export function conv3x3Sizes(info: I3dInfo): Map<string, { size: number; inChannels: number; outChannels: number }> {
  const out = new Map<string, { size: number; inChannels: number; outChannels: number }>();
  let size = 224;
  const unit = (u: { name: string; kernel: readonly number[]; stride: readonly number[]; inChannels: number; outChannels: number }) => {
    if (u.kernel.every((k) => k === 3) && u.stride.every((s) => s === 1)) out.set(u.name, { size, inChannels: u.inChannels, outChannels: u.outChannels });
  };
  for (const step of i3dLayout(info).steps) {
    if (step.kind === 'unit') {
      unit(step.layer);
      size = Math.ceil(size / step.layer.stride[1]);
    } else if (step.kind === 'pool') size = Math.ceil(size / step.layer.stride[1]);
    else for (const u of [step.block.b1b, step.block.b2b]) unit(u);
  }
  return out;
}

function tensorFloats(t: Onnx.ITensorProto): Float32Array {
  const raw = t.rawData;
  if (!raw) throw new AppError('E_MODEL_FORMAT', `initializer ${t.name} has no raw data`);
  const bytes = new Uint8Array(raw); // an aligned copy (decoded bytes may be views into the model)
  if (t.dataType === ELEM_TYPE.float32) return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  if (t.dataType === ELEM_TYPE.float16) return Float32Array.from(new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2), float16Value);
  throw new AppError('E_MODEL_FORMAT', `initializer ${t.name} is not float`);
}

function ints(n: Onnx.NodeProto, name: string): number[] | undefined {
  return n.attribute.find((x) => x.name === name)?.ints?.map(Number);
}

class ProtoEmitter implements GraphEmitter {
  readonly nodes: Onnx.NodeProto[] = [];
  readonly initializers: Onnx.TensorProto[] = [];
  constructor(private readonly used: Set<string>) {}

  private fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: readonly string[], output: string | { exact: string }, attrs: Record<string, AttrValue> = {}): string {
    const out = typeof output === 'string' ? this.fresh(output) : output.exact;
    this.nodes.push(
      onnx.NodeProto.create({ opType, domain: '', name: this.fresh(`${out}/${opType}`), input: [...inputs], output: [out], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) }),
    );
    return out;
  }

  initializer(hint: string, _elem: 'float32', dims: readonly number[], data: Float32Array): string {
    const name = this.fresh(hint);
    this.initializers.push(onnx.TensorProto.create({ name, dataType: ELEM_TYPE.float32, dims: [...dims], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }));
    return name;
  }

  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push(onnx.TensorProto.create({ name, dataType: ELEM_TYPE.int64, dims: [values.length], rawData: new Uint8Array(data.buffer) }));
    return name;
  }
}

export interface WasmGraphOptions {
  /** Winograd block of the 3×3×3 convs by spatial size (56, 28, 14, 7): 4 = F(4×4, 3×3) (default), 2 = F(2×2, 3×3), 0 = direct Conv. */
  blocks?: Partial<Record<number, 0 | 2 | 4>>;
  /** Conv3d_1a as F(m×m, 4×4) on its 2×2 spatial phases: 0 = direct, 2 or 4 (default 4). */
  stem?: 0 | 2 | 4;
  /** The Winograd GEMM as grouped Convs (default: fastest on WASM) or Slices + MatMul (also right on WebGPU's NHWC layout). */
  gemm?: 'conv' | 'matmul';
  /** Separable Winograd input transforms (default true; false: one dense Conv). */
  separable?: boolean;
  /** Filled with the layers rewritten and how. */
  report?: Record<string, string>;
}

/** Rewrite a stored I3D model for onnxruntime-web's WASM EP (see the file comment). */
export function toWasmGraph(model: Uint8Array, opts: WasmGraphOptions = {}): Uint8Array {
  const blockFor = (size: number): 0 | 2 | 4 => opts.blocks?.[size] ?? 4;
  const meta = readI3dModelMeta(model);
  if (meta.compute !== 'fp32') return model;
  const decoded = onnx.ModelProto.decode(model);
  const g = decoded.graph as Onnx.GraphProto;
  const info: I3dInfo = { modality: meta.modality, inChannels: meta.inChannels, numClasses: meta.classes, widthDivisor: meta.widthDivisor };
  const sizes = conv3x3Sizes(info);
  const stemStep = i3dLayout(info).steps[0];
  if (stemStep.kind !== 'unit') throw new Error('the I3D layout does not start with its stem conv');
  const stem = stemStep.layer;
  // decoded sub-messages are class instances, whose repeated fields are always arrays
  const graphNodes = g.node as Onnx.NodeProto[];
  const inits = new Map((g.initializer as Onnx.TensorProto[]).map((t) => [t.name, t]));
  const producer = new Map<string, Onnx.NodeProto>();
  for (const n of graphNodes) for (const o of n.output) producer.set(o, n);
  const used = new Set<string>([...graphNodes.flatMap((n) => [...n.output, n.name]), ...inits.keys(), ...g.input.map((i) => i.name ?? '')]);
  const emitter = new ProtoEmitter(used);

  /** The float32 weights a Conv input resolves to (initializer, Cast of float16, DequantizeLinear of int8). */
  const weightOf = (value: string, outChannels: number): Float32Array | null => {
    const init = inits.get(value);
    if (init) return init.dataType === ELEM_TYPE.float32 ? tensorFloats(init) : null;
    const p = producer.get(value);
    if (p?.opType === 'Cast' && inits.get(p.input[0])?.dataType === ELEM_TYPE.float16) return tensorFloats(inits.get(p.input[0]) as Onnx.ITensorProto);
    if (p?.opType === 'DequantizeLinear' && p.input.length === 2) {
      const q = inits.get(p.input[0]);
      const s = inits.get(p.input[1]);
      const axis = p.attribute.find((a) => a.name === 'axis')?.i ?? 1;
      if (q?.dataType !== ELEM_TYPE.int8 || s?.dataType !== ELEM_TYPE.float32 || Number(axis) !== 0 || !q.rawData) return null;
      const qs = new Int8Array(new Uint8Array(q.rawData).buffer);
      const scale = tensorFloats(s);
      if (scale.length !== outChannels) return null;
      const per = qs.length / outChannels;
      return Float32Array.from(qs, (v, i) => Math.fround(v * scale[Math.floor(i / per)]));
    }
    return null;
  };

  const biasOf = (n: Onnx.NodeProto): Float32Array | undefined | null => {
    if (!n.input[2]) return undefined;
    const b = inits.get(n.input[2]);
    return b?.dataType === ELEM_TYPE.float32 ? tensorFloats(b) : null;
  };
  const attrsAre = (n: Onnx.NodeProto, kernel: string, strides: string, pads: string) =>
    ints(n, 'kernel_shape')?.join() === kernel &&
    (ints(n, 'strides') ?? [1, 1, 1]).join() === strides &&
    (ints(n, 'dilations') ?? [1, 1, 1]).join() === '1,1,1' &&
    (ints(n, 'pads') ?? [0, 0, 0, 0, 0, 0]).join() === pads &&
    Number(n.attribute.find((a) => a.name === 'group')?.i ?? 1) === 1;

  /** Emits the replacement of `n` and returns true, or returns false to keep it. */
  const replace = (n: Onnx.NodeProto): boolean => {
    if (n.opType !== 'Conv') return false;
    const layer = n.output[0];
    const spec = sizes.get(layer);
    const m = spec ? blockFor(spec.size) : 0;
    if (spec && m !== 0 && attrsAre(n, '3,3,3', '1,1,1', '1,1,1,1,1,1')) {
      const weight = weightOf(n.input[1], spec.outChannels);
      const bias = biasOf(n);
      if (!weight || weight.length !== spec.outChannels * spec.inChannels * 27 || bias === null) return false;
      emitWinogradConv(emitter, n.input[0], { C: spec.inChannels, O: spec.outChannels, S: spec.size, weight, bias, name: layer, m, gemm: opts.gemm, separable: opts.separable }, { exact: layer });
      if (opts.report) opts.report[layer] = `F(${m}x${m},3x3)`;
      return true;
    }
    const stemBlock = opts.stem ?? 4;
    if (layer === stem.name && stemBlock !== 0 && attrsAre(n, '7,7,7', '2,2,2', '0,0,0,0,0,0')) {
      const weight = weightOf(n.input[1], stem.outChannels);
      const bias = biasOf(n);
      if (!weight || weight.length !== stem.outChannels * stem.inChannels * 343 || bias === null) return false;
      emitWinogradStem(emitter, n.input[0], { C: stem.inChannels, O: stem.outChannels, weight, bias, name: layer, m: stemBlock, gemm: opts.gemm, separable: opts.separable }, { exact: layer });
      if (opts.report) opts.report[layer] = `F(${stemBlock}x${stemBlock},4x4) on 2x2 phases`;
      return true;
    }
    return false;
  };

  const nodes: Onnx.NodeProto[] = [];
  for (const n of graphNodes) {
    const start = emitter.nodes.length;
    if (replace(n)) nodes.push(...emitter.nodes.slice(start));
    else nodes.push(n);
  }
  g.node = nodes;
  g.initializer.push(...emitter.initializers);
  removeDead(g);
  return onnx.ModelProto.encode(decoded).finish();
}

/** Drop nodes whose outputs nothing reads (the replaced weights' Cast/DequantizeLinear) and unread initializers. */
function removeDead(g: Onnx.GraphProto): void {
  const outputs = new Set(g.output.map((o) => o.name));
  let nodes = g.node as Onnx.NodeProto[];
  for (;;) {
    const read = new Set<string>(nodes.flatMap((n) => n.input));
    const keep = nodes.filter((n) => n.output.some((o) => read.has(o) || outputs.has(o)));
    if (keep.length === nodes.length) break;
    nodes = keep;
  }
  g.node = nodes;
  const read = new Set<string>(nodes.flatMap((n) => n.input));
  g.initializer = (g.initializer as Onnx.TensorProto[]).filter((t) => read.has(t.name));
}
