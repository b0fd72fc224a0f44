/**
 * The WASM-tuned form of a stored I3D model (made by buildI3dOnnx), derived when a session opens (like
 * ./half-compute.ts), so the app stores one file per dtype and WebGPU keeps the stored graph. onnxruntime-web's
 * CPU Conv is im2col + an SGEMM that already runs near WASM SIMD's peak, so this graph does fewer multiply-adds
 * (./winograd.ts): Conv3d_1a becomes F(4×4, 4×4) on its 2×2 spatial phases (525 → 257 per output instead of
 * 1029), every 3×3×3 stride-1 conv F(4×4, 3×3) (6.75 per output and input channel instead of 27; sizes 14 and 7
 * padded to 16 and 8). Same outputs up to float rounding (see the tests); about 2× faster end to end.
 *
 * One pass (./rewrite.ts) walks the stored graph and offers each node to the table of wasmRewrites (node pattern →
 * rewrite); a rewrite reads the conv's weights as ORT would use them (float32; float16 behind a Cast; int8 behind
 * DequantizeLinear → q·scale in float32) and emits its Winograd form (./winograd.ts) into the pass's GraphBuilder.
 * Graphs with float16 compute are returned unchanged (that graph is for WebGPU).
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { i3dLayout } from '../i3d-layout';
import type { I3dInfo } from '../types';
import { readI3dModelMeta } from './i3d-graph';
import { rewriteGraph, type Rewrite } from './rewrite';
import { emitWinogradConv, emitWinogradStem } from './winograd';

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

/**
 * The WASM graph's forms by memory (src/pipeline/memory-budget.ts picks one): `winograd` (default, fastest), then
 * two that hold less of the pass in memory at a small cost in time — the stem as a direct Conv (its Winograd
 * transforms are half of the pass's intermediates), and also the 3×3×3 convs at 56×56 direct. Measured with
 * tools/bench/i3d-heap.ts (published width, q8, 128 frames, 2 threads): +1207 / +643 / +277 MiB peak for the pass,
 * 5.35 / 5.75 / 7.15 s.
 */
export const WASM_FORMS = {
  winograd: {},
  'direct-stem': { stem: 0 },
  'direct-stem-56': { stem: 0, blocks: { 56: 0 } },
} as const satisfies Record<string, WasmGraphOptions>;
export type WasmForm = keyof typeof WASM_FORMS;

/** The Conv attributes of a 3×3×3 stride-1 conv with (1,1,1) zero padding, and of the stem's 7×7×7 stride 2 (padded before). */
const CONV_3X3 = { kernel_shape: [3, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [1, 1, 1, 1, 1, 1], group: 1 };
const CONV_STEM = { kernel_shape: [7, 7, 7], strides: [2, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], group: 1 };

/** The rewrite table of an I3D model's graph under `opts`. */
export function wasmRewrites(info: I3dInfo, opts: WasmGraphOptions = {}): Rewrite[] {
  const sizes = conv3x3Sizes(info);
  const stemStep = i3dLayout(info).steps[0];
  if (stemStep.kind !== 'unit') throw new Error('the I3D layout does not start with its stem conv');
  const stem = stemStep.layer;
  const stemBlock = opts.stem ?? 4;
  const form = { gemm: opts.gemm, separable: opts.separable };
  return [
    {
      pattern: { opType: 'Conv', attrs: CONV_3X3 },
      rewrite(n, ctx) {
        const layer = n.output[0];
        const spec = sizes.get(layer);
        const m = spec ? (opts.blocks?.[spec.size] ?? 4) : 0;
        if (!spec || m === 0) return null;
        const weight = ctx.weight(n.input[1], spec.outChannels);
        const bias = ctx.bias(n.input[2]);
        if (!weight || weight.length !== spec.outChannels * spec.inChannels * 27 || bias === null) return null;
        emitWinogradConv(
          ctx.builder,
          n.input[0],
          { ...form, C: spec.inChannels, O: spec.outChannels, S: spec.size, weight, bias, name: layer, m },
          { exact: layer },
        );
        return `F(${m}x${m},3x3)`;
      },
    },
    {
      pattern: { opType: 'Conv', attrs: CONV_STEM },
      rewrite(n, ctx) {
        const layer = n.output[0];
        if (layer !== stem.name || stemBlock === 0) return null;
        const weight = ctx.weight(n.input[1], stem.outChannels);
        const bias = ctx.bias(n.input[2]);
        if (!weight || weight.length !== stem.outChannels * stem.inChannels * 343 || bias === null) return null;
        emitWinogradStem(
          ctx.builder,
          n.input[0],
          { ...form, C: stem.inChannels, O: stem.outChannels, weight, bias, name: layer, m: stemBlock },
          { exact: layer },
        );
        return `F(${stemBlock}x${stemBlock},4x4) on 2x2 phases`;
      },
    },
  ];
}

/**
 * A stored I3D model (E_MODEL_FORMAT for anything else) through the rewrites `rewritesFor` gives for its layout;
 * a graph with float16 compute is returned unchanged (it is for WebGPU). Shared by the devices' forms.
 */
export function rewriteI3dModel(model: Uint8Array, rewritesFor: (info: I3dInfo) => Rewrite[], report?: Record<string, string>): Uint8Array {
  const meta = readI3dModelMeta(model);
  if (meta.compute !== 'fp32') return model;
  const decoded = onnx.ModelProto.decode(model);
  const info: I3dInfo = { modality: meta.modality, inChannels: meta.inChannels, numClasses: meta.classes, widthDivisor: meta.widthDivisor };
  rewriteGraph(decoded.graph as Onnx.GraphProto, rewritesFor(info), report);
  return onnx.ModelProto.encode(decoded).finish();
}

/** Rewrite a stored I3D model for onnxruntime-web's WASM EP (see the file comment). */
export function toWasmGraph(model: Uint8Array, opts: WasmGraphOptions = {}): Uint8Array {
  return rewriteI3dModel(model, (info) => wasmRewrites(info, opts), opts.report);
}
