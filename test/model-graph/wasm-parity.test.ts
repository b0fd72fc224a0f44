/**
 * The WASM graph (src/model/graph/wasm-graph.ts: Winograd convolutions) against the PyTorch reference, with the
 * fp32 parity criterion of ./parity.test.ts (max abs difference ≤ 1e-4 × max(1, max |reference|)): slim models
 * of both modalities at several lengths, and the published width once (same checkpoints and clips as
 * ./parity.test.ts, so the reference features come from the same cache).
 */
import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../../src/model/features';
import { buildI3dOnnx } from '../../src/model/graph/i3d-graph';
import { toWasmGraph } from '../../src/model/graph/wasm-graph';
import { configureOrt, createSession, release } from '../../src/model/ort';
import { cachedReferenceFeatures, ensureCheckpoints } from '../support/reference';
import { maxAbsDiff } from '../support/compare';
import { clip, fcVersusMapMean, loadCheckpoint, readNpy } from './support';

const TOL = 1e-4;

configureOrt({ numThreads: 1 });

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

async function check(checkpoint: string, n: number, seed: number): Promise<void> {
  const { stateDict, info } = await loadCheckpoint(checkpoint);
  const session = await createSession(toWasmGraph(buildI3dOnnx(stateDict, info, { dtype: 'fp32' })), { device: 'wasm' });
  try {
    const { path, frames } = await clip(n, info.inChannels, seed);
    const ref = await cachedReferenceFeatures(checkpoint, path);
    const got = await extractFeatures(session, frames, n, info.inChannels);
    for (const name of ['fc', 'map', 'logits'] as const) {
      const r = await readNpy(ref[name]);
      const scale = Math.max(1, maxAbs(r.data));
      const diff = maxAbsDiff(got[name], r.data);
      if (process.env.I3D_PARITY_LOG)
        console.log(`wasm graph ${checkpoint.split('/').pop()} n=${n} ${name}: max abs diff ${diff.toExponential(2)}, max |ref| ${scale.toFixed(2)}`);
      expect(diff, `${name} n=${n}`).toBeLessThanOrEqual(TOL * scale);
    }
    expect(fcVersusMapMean(got.fc, got.map, 1024 / info.widthDivisor)).toBeLessThanOrEqual(1e-5);
  } finally {
    await release(session);
  }
}

describe('WASM graph = PyTorch reference', () => {
  for (const [modality, classes] of [
    ['rgb', 400],
    ['flow', 157],
  ] as const) {
    for (const n of [9, 33, 64]) {
      it(`slim ${modality} ${classes} classes, ${n} frames`, async () => {
        const set = await ensureCheckpoints({ divisor: 8 });
        await check(set.i3d(modality, classes, 'legacy03').path, n, 100 + n);
      });
    }
  }

  it('published width, rgb 400 classes, 16 frames', async () => {
    const set = await ensureCheckpoints({ divisor: 1 });
    await check(set.i3d('rgb', 400, 'legacy03').path, 16, 7);
  }, 300_000);
});
