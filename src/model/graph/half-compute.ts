/**
 * Derive the half-precision-compute graph from a stored `fp16` model (float16 weights behind
 * Casts, float32 compute), so the app keeps one fp16 file and makes the WebGPU `shader-f16`
 * variant when it loads it. The result equals buildI3dOnnx(…, { dtype: 'fp16', compute: 'fp16' }):
 * x is cast to float16 on entry, the weight Casts disappear, float32 initializers (biases) become
 * float16, and fc/map/logits are cast back to float32.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { AppError } from '../../errors';
import { float16Bits } from '../quantize';
import { ELEM_TYPE } from './onnx-builder';

const { onnx } = onnxProto;
const FLOAT = ELEM_TYPE.float32;
const FLOAT16 = ELEM_TYPE.float16;
const OUTPUTS = ['fc', 'map', 'logits'];

function castNode(input: string, output: string, to: number) {
  return onnx.NodeProto.create({
    opType: 'Cast',
    domain: '',
    name: `${output}/Cast`,
    input: [input],
    output: [output],
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  });
}

export function toHalfCompute(fp16Model: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(fp16Model);
  const meta = new Map(model.metadataProps.map((p) => [p.key, p]));
  if (meta.get('i3d.dtype')?.value !== 'fp16' || meta.get('i3d.compute')?.value !== 'fp32' || !model.graph) {
    throw new AppError('E_MODEL_FORMAT', 'a half-compute graph is made from an fp16 model with float32 compute');
  }
  // decoded sub-messages are class instances, whose repeated fields are always arrays
  const g = model.graph as Onnx.GraphProto;
  const half = new Set(g.initializer.filter((t) => t.dataType === FLOAT16).map((t) => t.name));
  // float32 initializers (biases) → float16
  for (const t of g.initializer as Onnx.TensorProto[]) {
    if (t.dataType !== FLOAT) continue;
    const raw = t.rawData;
    const src = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const dst = new Uint16Array(src.length);
    for (let i = 0; i < src.length; i++) dst[i] = float16Bits(src[i]);
    t.dataType = FLOAT16;
    t.rawData = new Uint8Array(dst.buffer);
  }
  // drop the weight Casts: consumers read the float16 initializers directly
  const rename = new Map<string, string>();
  const nodes = (g.node as Onnx.NodeProto[]).filter((n) => {
    if (n.opType === 'Cast' && n.input.length === 1 && half.has(n.input[0])) {
      rename.set(n.output[0], n.input[0]);
      return false;
    }
    return true;
  });
  for (const n of nodes) {
    n.input = n.input.map((v) => (v === 'x' ? 'x_f16' : (rename.get(v) ?? v)));
    n.output = n.output.map((v) => (OUTPUTS.includes(v) ? `${v}_f16` : v));
  }
  g.node = [castNode('x', 'x_f16', FLOAT16), ...nodes, ...OUTPUTS.map((o) => castNode(`${o}_f16`, o, FLOAT))];
  meta.get('i3d.compute')!.value = 'fp16';
  return onnx.ModelProto.encode(model).finish();
}
