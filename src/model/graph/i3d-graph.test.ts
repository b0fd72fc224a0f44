import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { randomFrames, randomStateDict } from '../../../test/model-graph/random-state-dict';
import { isAppError } from '../../errors';
import { extractFeatures } from '../features';
import { configureOrt, createSession, release } from '../ort';
import type { I3dInfo } from '../types';
import { buildI3dOnnx, readI3dModelMeta } from './i3d-graph';
import { PAD_INPUTS } from './pads';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const SLIM: I3dInfo = { modality: 'rgb', inChannels: 3, numClasses: 157, widthDivisor: 8 };
const sd = randomStateDict(SLIM, 3);

configureOrt({ numThreads: 1 });

interface Node {
  opType: string;
  name: string;
  input: string[];
  output: string[];
  ints: Record<string, number[]>;
  int: Record<string, number>;
}
interface ValueInfo {
  name: string;
  elem: number;
  dims: (number | string)[];
}

/** The parts of a decoded model these tests look at, as plain typed values. */
function decode(bytes: Uint8Array) {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph ?? {};
  const valueInfo = (v: Onnx.IValueInfoProto): ValueInfo => ({
    name: v.name ?? '',
    elem: v.type?.tensorType?.elemType ?? -1,
    dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))),
  });
  const nodes: Node[] = (g.node ?? []).map((n) => ({
    opType: n.opType ?? '',
    name: n.name ?? '',
    input: n.input ?? [],
    output: n.output ?? [],
    ints: Object.fromEntries((n.attribute ?? []).filter((a) => a.ints?.length).map((a) => [a.name ?? '', (a.ints ?? []).map(Number)])),
    int: Object.fromEntries((n.attribute ?? []).filter((a) => a.i != null).map((a) => [a.name ?? '', Number(a.i)])),
  }));
  return {
    opset: Number(m.opsetImport?.[0]?.version),
    nodes,
    inits: new Map((g.initializer ?? []).map((t) => [t.name ?? '', { dataType: t.dataType ?? -1 }])),
    inputs: (g.input ?? []).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
  };
}

describe('I3D ONNX graph', () => {
  it('has the documented inputs, outputs and metadata', () => {
    const m = decode(buildI3dOnnx(sd, SLIM, { dtype: 'fp32', sourceSha256: 'cd'.repeat(32) }));
    expect(m.opset).toBe(17);
    expect(m.inputs).toEqual([
      { name: 'x', elem: DT.FLOAT, dims: [1, 3, 'T', 224, 224] },
      { name: PAD_INPUTS.conv1a, elem: DT.INT64, dims: [10] },
      { name: PAD_INPUTS.pool4a, elem: DT.INT64, dims: [10] },
      { name: PAD_INPUTS.pool5a, elem: DT.INT64, dims: [10] },
    ]);
    expect(m.outputs).toEqual([
      { name: 'fc', elem: DT.FLOAT, dims: [1, 128, 'T_out'] },
      { name: 'map', elem: DT.FLOAT, dims: [1, 128, 'T_out', 7, 7] },
      { name: 'logits', elem: DT.FLOAT, dims: [1, 157, 'T_out'] },
    ]);
    expect(readI3dModelMeta(buildI3dOnnx(sd, SLIM, { dtype: 'q8', sourceSha256: 'cd'.repeat(32) }))).toEqual({
      modality: 'rgb',
      classes: 157,
      inChannels: 3,
      widthDivisor: 8,
      dtype: 'q8',
      compute: 'fp32',
      sourceSha256: 'cd'.repeat(32),
      graphVersion: '1',
    });
  });

  it('uses only symmetric pads attributes and explicit zero Pads elsewhere (WebGPU rejects asymmetric 3-D pads)', () => {
    const m = decode(buildI3dOnnx(sd, SLIM, { dtype: 'fp32' }));
    const pooled = m.nodes.filter((x) => x.opType === 'Conv' || x.opType === 'MaxPool');
    expect(pooled.length).toBeGreaterThan(60);
    for (const n of pooled) {
      const p = n.ints.pads ?? [0, 0, 0, 0, 0, 0];
      expect(p.slice(0, 3), n.name).toEqual(p.slice(3));
    }
    const pads = m.nodes.filter((x) => x.opType === 'Pad');
    // Conv3d_1a, MaxPool 2a, 3a, 4a, 5a; three of them read the pads inputs
    expect(pads).toHaveLength(5);
    expect(pads.filter((p) => (Object.values(PAD_INPUTS) as string[]).includes(p.input[1]))).toHaveLength(3);
    expect(m.nodes.filter((x) => x.opType === 'BatchNormalization')).toHaveLength(0);
  });

  it('stores fp16 weights behind Casts, q8 weights behind DequantizeLinear(axis 0), fp16 compute without Casts', () => {
    const producer = (m: ReturnType<typeof decode>, value: string) => m.nodes.find((n) => n.output[0] === value);
    const fp16 = decode(buildI3dOnnx(sd, SLIM, { dtype: 'fp16' }));
    for (const conv of fp16.nodes.filter((n) => n.opType === 'Conv')) {
      const cast = producer(fp16, conv.input[1]);
      expect(cast?.opType).toBe('Cast');
      expect(fp16.inits.get(cast?.input[0] ?? '')?.dataType).toBe(DT.FLOAT16);
    }
    const q8 = decode(buildI3dOnnx(sd, SLIM, { dtype: 'q8' }));
    for (const conv of q8.nodes.filter((n) => n.opType === 'Conv')) {
      const dq = producer(q8, conv.input[1]);
      expect(dq?.opType).toBe('DequantizeLinear');
      expect(dq?.int.axis).toBe(0);
      expect(q8.inits.get(dq?.input[0] ?? '')?.dataType).toBe(DT.INT8);
    }
    const half = decode(buildI3dOnnx(sd, SLIM, { dtype: 'fp16', compute: 'fp16' }));
    const casts = half.nodes.filter((n) => n.opType === 'Cast');
    expect(casts).toHaveLength(4); // x in; fc, map, logits out
    expect(casts[0].input[0]).toBe('x');
    expect(
      casts
        .slice(1)
        .map((c) => c.output[0])
        .sort(),
    ).toEqual(['fc', 'logits', 'map']);
    expect([...half.inits.values()].filter((t) => t.dataType === DT.FLOAT)).toHaveLength(0);
    expect(() => buildI3dOnnx(sd, SLIM, { dtype: 'q8', compute: 'fp16' })).toThrow();
  });

  it('refuses a state dict with a missing or misshapen tensor with typed errors', () => {
    const missing = new Map(sd);
    missing.delete('Mixed_4c.b1b.bn.running_var');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isAppError(e) ? e.code : String(e);
      }
      return 'no error';
    };
    expect(code(() => buildI3dOnnx(missing, SLIM, { dtype: 'fp32' }))).toBe('E_I3D_MISSING');
    const bad = new Map(sd);
    bad.set('logits.conv3d.bias', { dtype: 'float32', shape: [3], data: new Float32Array(3) });
    expect(code(() => buildI3dOnnx(bad, SLIM, { dtype: 'fp32' }))).toBe('E_I3D_SHAPE');
  });

  it('folded BatchNorm computes what BatchNormalization nodes compute', async () => {
    const frames = randomFrames(16, 3, 5);
    const run = async (foldBatchNorm: boolean) => {
      const s = await createSession(buildI3dOnnx(sd, SLIM, { dtype: 'fp32', foldBatchNorm }), { device: 'wasm', graphOptimizationLevel: 'disabled' });
      try {
        return await extractFeatures(s, frames, 16, 3);
      } finally {
        await release(s);
      }
    };
    const folded = await run(true);
    const plain = await run(false);
    let diff = 0;
    let scale = 1;
    for (let i = 0; i < plain.map.length; i++) {
      diff = Math.max(diff, Math.abs(plain.map[i] - folded.map[i]));
      scale = Math.max(scale, Math.abs(plain.map[i]));
    }
    expect(diff).toBeLessThanOrEqual(1e-5 * scale);
    expect(diff).toBeGreaterThan(0); // really two different graphs
  });
});
