/**
 * Graph forms for onnxruntime-web's WebGPU EP (issue 12's GPU route measures them against the stored graph):
 * - `winograd`: the WASM graph's Winograd convs (./wasm-graph.ts) in the form that is right on WebGPU's NHWC
 *   layout (the GEMM as Slices + MatMul, dense input transforms: its grouped Conv is wrong there in 1.30);
 * - `mm1`: every 1×1×1 stride-1 Conv as one MatMul of the weights [O, C] by the input seen as [C, T·H·W] (a
 *   Reshape, no copy), plus the bias, reshaped back to [1, O, T, H, W] — a plain GEMM, where the EP's 3-D Conv
 *   is a direct loop.
 * Same outputs up to float rounding. Graphs with float16 compute are returned unchanged.
 */
import type { Rewrite } from './rewrite';
import { rewriteI3dModel, wasmRewrites } from './wasm-graph';

export interface WebGpuGraphOptions {
  winograd?: boolean;
  mm1?: boolean;
  report?: Record<string, string>;
}

const CONV_1X1 = { kernel_shape: [1, 1, 1], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], group: 1 };

/** 1×1×1 Convs as MatMul (see the file comment). */
const matmul1x1Rewrite: Rewrite = {
  pattern: { opType: 'Conv', attrs: CONV_1X1 },
  rewrite(n, ctx) {
    const b = ctx.builder;
    const layer = n.output[0];
    const bias = ctx.bias(n.input[2]);
    if (!bias) return null; // every conv of the stored graph has its (folded) bias
    const O = bias.length;
    const w = ctx.weight(n.input[1], O);
    if (!w || w.length % O !== 0) return null;
    const C = w.length / O;
    const x = n.input[0];
    const x2 = b.node('Reshape', [x, b.int64s(`${layer}/mm_in_shape`, [C, -1])], `${layer}/mm_in`);
    const y = b.node('MatMul', [b.initializer(`${layer}/mm_w`, 'float32', [O, C], w), x2], `${layer}/mm`);
    const yb = b.node('Add', [y, b.initializer(`${layer}/mm_b`, 'float32', [O, 1], bias)], `${layer}/mm_bias`);
    const shape = b.node('Shape', [x], `${layer}/mm_x_shape`);
    const thw = b.node('Slice', [shape, b.int64s(`${layer}/mm_from`, [2]), b.int64s(`${layer}/mm_to`, [5])], `${layer}/mm_thw`);
    const outShape = b.node('Concat', [b.int64s(`${layer}/mm_lead`, [1, O]), thw], `${layer}/mm_out_shape`, { axis: 0 });
    b.node('Reshape', [yb, outShape], { exact: layer });
    return 'MatMul';
  },
};

/** Rewrite a stored I3D model for the WebGPU EP (see the file comment); no option: the stored graph. */
export function toWebGpuGraph(model: Uint8Array, opts: WebGpuGraphOptions): Uint8Array {
  if (!opts.winograd && !opts.mm1) return model;
  return rewriteI3dModel(
    model,
    (info) => [...(opts.winograd ? wasmRewrites(info, { gemm: 'matmul', separable: false }) : []), ...(opts.mm1 ? [matmul1x1Rewrite] : [])],
    opts.report,
  );
}
