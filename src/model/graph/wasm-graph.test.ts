import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { randomFrames, randomStateDict } from '../../../test/model-graph/random-state-dict';
import { isAppError } from '../../errors';
import { extractFeatures, framesToInput, runI3d } from '../features';
import { configureOrt, createSession, release } from '../ort';
import type { I3dInfo, ModelDtype } from '../types';
import { toHalfCompute } from './half-compute';
import { buildI3dOnnx } from './i3d-graph';
import { toWasmGraph, WASM_FORMS, type WasmForm } from './wasm-graph';

const { onnx } = onnxProto;
const SLIM: I3dInfo = { modality: 'rgb', inChannels: 3, numClasses: 157, widthDivisor: 8 };
const sd = randomStateDict(SLIM, 4);

configureOrt({ numThreads: 1 });

function graphOf(bytes: Uint8Array) {
  const g = onnx.ModelProto.decode(bytes).graph as InstanceType<typeof onnx.GraphProto>;
  const dims = (v: { type?: { tensorType?: { shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null }) =>
    (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue));
  return {
    nodes: g.node,
    inputs: g.input.map((i) => [i.name, dims(i)]),
    outputs: g.output.map((o) => [o.name, dims(o)]),
    initializers: g.initializer.map((t) => t.name),
  };
}

function maxDiff(a: Float32Array, b: Float32Array): { diff: number; scale: number } {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { diff, scale };
}

describe('WASM graph (Winograd rewrite of a stored model)', () => {
  it('rewrites the stem and every 3×3×3 conv, keeps the contract, drops the replaced weights', () => {
    const q8 = buildI3dOnnx(sd, SLIM, { dtype: 'q8' });
    const report: Record<string, string> = {};
    const wasm = toWasmGraph(q8, { report });
    const layers = Object.keys(report);
    expect(report.Conv3d_1a_7x7).toBe('F(4x4,4x4) on 2x2 phases');
    expect(report.Conv3d_2c_3x3).toBe('F(4x4,3x3)');
    expect(report['Mixed_3c.b2b']).toBe('F(4x4,3x3)');
    expect(report['Mixed_4f.b1b']).toBe('F(4x4,3x3)');
    expect(report['Mixed_5c.b2b']).toBe('F(4x4,3x3)');
    expect(layers).toHaveLength(20); // stem, 2c, b1b + b2b of the nine Mixed blocks
    const before = graphOf(q8);
    const after = graphOf(wasm);
    expect(after.inputs).toEqual(before.inputs);
    expect(after.outputs).toEqual(before.outputs);
    // the replaced convs' int8 weights and their DequantizeLinear nodes are gone; the others stay
    const dq = (g: typeof before) => g.nodes.filter((n) => n.opType === 'DequantizeLinear').length;
    expect(dq(before) - dq(after)).toBe(20);
    expect(after.initializers).not.toContain('Conv3d_2c_3x3.weight_q8');
    expect(after.initializers).toContain('Mixed_5c.b0.weight_q8');
    expect(after.nodes.filter((n) => n.opType === 'Conv' && n.output?.[0] === 'Conv3d_2c_3x3')).toHaveLength(0);
    // options: F(2×2) but direct at 7×7, direct stem
    const f2: Record<string, string> = {};
    toWasmGraph(q8, { blocks: { 56: 2, 28: 2, 14: 2, 7: 0 }, stem: 0, report: f2 });
    expect(Object.keys(f2)).toHaveLength(15);
    expect(new Set(Object.values(f2))).toEqual(new Set(['F(2x2,3x3)']));
  });

  it('leaves a half-precision-compute graph alone and refuses a foreign file', () => {
    const half = toHalfCompute(buildI3dOnnx(sd, SLIM, { dtype: 'fp16' }));
    expect(toWasmGraph(half)).toBe(half);
    let code = 'no error';
    try {
      toWasmGraph(new Uint8Array([1, 2, 3, 4]));
    } catch (e) {
      code = isAppError(e) ? e.code : String(e);
    }
    expect(code).toBe('E_MODEL_FORMAT');
  });

  it('every form the memory budget picks gives the same features as the stored graph (q8; 17 frames)', async () => {
    const model = buildI3dOnnx(sd, SLIM, { dtype: 'q8' });
    const plain = await createSession(model, { device: 'wasm' });
    try {
      const frames = randomFrames(17, 3, 31);
      const a = await extractFeatures(plain, frames, 17, 3);
      for (const form of Object.keys(WASM_FORMS) as WasmForm[]) {
        const report: Record<string, string> = {};
        const s = await createSession(toWasmGraph(model, { ...WASM_FORMS[form], report }), { device: 'wasm' });
        try {
          // the stem and the 56×56 convs stay direct in the forms that say so
          expect(report.Conv3d_1a_7x7 === undefined, form).toBe(form !== 'winograd');
          expect(report.Conv3d_2c_3x3 === undefined, form).toBe(form === 'direct-stem-56');
          const b = await extractFeatures(s, frames, 17, 3);
          for (const k of ['fc', 'map', 'logits'] as const) {
            const { diff, scale } = maxDiff(b[k], a[k]);
            expect(diff, `${form} ${k}`).toBeLessThanOrEqual(1e-5 * scale);
          }
        } finally {
          await release(s);
        }
      }
    } finally {
      await release(plain);
    }
  });

  for (const dtype of ['fp32', 'q8', 'fp16'] as ModelDtype[]) {
    it(`${dtype}: the same features as the stored graph (9, 16 and 33 frames; chunk pads)`, async () => {
      const model = buildI3dOnnx(sd, SLIM, { dtype });
      const plain = await createSession(model, { device: 'wasm' });
      const wasm = await createSession(toWasmGraph(model), { device: 'wasm' });
      try {
        for (const n of [9, 16, 33]) {
          const frames = randomFrames(n, 3, 50 + n);
          const [a, b] = [await extractFeatures(plain, frames, n, 3), await extractFeatures(wasm, frames, n, 3)];
          for (const k of ['fc', 'map', 'logits'] as const) {
            const { diff, scale } = maxDiff(b[k], a[k]);
            expect(diff, `${k} n=${n}`).toBeLessThanOrEqual(1e-5 * scale); // measured ≤ 2.5e-6 · scale
          }
        }
        // an interior chunk: no temporal padding at the strided layers
        const T = 24;
        const x = framesToInput(randomFrames(T, 3, 77), T, 3);
        const pads = { conv1a: [0, 0], pool4a: [0, 0], pool5a: [0, 0] } as const;
        const [a, b] = [await runI3d(plain, x, T, 3, pads), await runI3d(wasm, x, T, 3, pads)];
        expect(b.steps).toBe(a.steps);
        const { diff, scale } = maxDiff(b.map, a.map);
        expect(diff).toBeLessThanOrEqual(1e-5 * scale);
      } finally {
        await release(plain);
        await release(wasm);
      }
    });
  }
});
