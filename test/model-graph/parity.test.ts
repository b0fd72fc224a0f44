/**
 * fp32 ONNX graph on onnxruntime-web (WASM, Node) against the PyTorch reference
 * (tools/reference/features.py) on random-weight checkpoints: slim (width ÷ 8) for the whole
 * matrix of modalities, class counts, checkpoint formats and clip lengths; full width once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { extractFeatures } from '../../src/model/features';
import { buildI3dOnnx } from '../../src/model/graph/i3d-graph';
import { configureOrt, createSession, release } from '../../src/model/ort';
import { cachedReferenceFeatures, ensureCheckpoints, type CheckpointSet } from '../support/reference';
import { maxAbsDiff } from '../support/compare';
import { clip, fcVersusMapMean, loadCheckpoint, readNpy } from './support';

/**
 * Max abs difference allowed (the criterion). The reference checkpoints are noise-stable like
 * trained networks (see tools/reference/make_checkpoints.py), so float32 rounding in PyTorch and in
 * onnxruntime stays ~1e-5 on every output; i.i.d. random weights would amplify it to ~3e-4 on `map`.
 */
const TOL = 1e-4;

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
const LENGTHS = [9, 16, 33, 64];
const MODELS = [
  ['rgb', 400],
  ['rgb', 157],
  ['flow', 400],
  ['flow', 157],
] as const;

configureOrt({ numThreads: 1 });

async function checkAgainstReference(checkpoint: string, n: number, seed: number): Promise<void> {
  const { stateDict, info } = await loadCheckpoint(checkpoint);
  const session = await createSession(buildI3dOnnx(stateDict, info, { dtype: 'fp32' }), { device: 'wasm' });
  try {
    const { path, frames } = await clip(n, info.inChannels, seed);
    const ref = await cachedReferenceFeatures(checkpoint, path);
    const got = await extractFeatures(session, frames, n, info.inChannels);
    const steps = Math.ceil(n / 8) - 1;
    const F = 1024 / info.widthDivisor;
    expect(got.steps).toBe(steps);
    for (const name of ['fc', 'map', 'logits'] as const) {
      const r = await readNpy(ref[name]);
      expect(r.shape).toEqual(name === 'fc' ? [steps, F] : name === 'map' ? [steps, 7, 7, F] : [steps, info.numClasses]);
      const diff = maxAbsDiff(got[name], r.data);
      if (process.env.I3D_PARITY_LOG)
        console.log(`${checkpoint.split('/').pop()} n=${n} ${name}: max abs diff ${diff.toExponential(2)}, max |ref| ${maxAbs(r.data).toFixed(2)}`);
      expect(diff, `${name} n=${n}`).toBeLessThanOrEqual(TOL);
    }
    expect(fcVersusMapMean(got.fc, got.map, F)).toBeLessThanOrEqual(1e-5);
  } finally {
    await release(session);
  }
}

describe('fp32 graph = PyTorch reference (slim, width ÷ 8)', () => {
  let set: CheckpointSet;
  beforeAll(async () => {
    set = await ensureCheckpoints({ divisor: 8 });
  });

  it('imports every format of both modalities and class counts, and the same weights give the same graph', async () => {
    for (const [modality, classes] of MODELS) {
      const graphs: Uint8Array[] = [];
      for (const flavour of ['zip', 'legacy', 'legacy03', 'zip_module'] as const) {
        const { stateDict, info } = await loadCheckpoint(set.i3d(modality, classes, flavour).path);
        expect(info).toEqual({ modality, inChannels: modality === 'rgb' ? 3 : 2, numClasses: classes, widthDivisor: 8 });
        graphs.push(buildI3dOnnx(stateDict, info, { dtype: 'fp32' }));
      }
      for (const g of graphs.slice(1)) expect(Buffer.from(g).equals(Buffer.from(graphs[0]))).toBe(true);
    }
  });

  for (const [modality, classes] of MODELS) {
    for (const n of LENGTHS) {
      it(`${modality} ${classes} classes, ${n} frames`, async () => {
        // the published files are 0.3-style legacy pickles; the zip flavour is covered by the graph equality above
        await checkAgainstReference(set.i3d(modality, classes, 'legacy03').path, n, 100 + n);
      });
    }
  }
});

describe('fp32 graph = PyTorch reference (full width)', () => {
  it('rgb 400 classes, 16 frames', async () => {
    const set = await ensureCheckpoints({ divisor: 1 });
    await checkAgainstReference(set.i3d('rgb', 400, 'legacy03').path, 16, 7);
  }, 300_000);
});
