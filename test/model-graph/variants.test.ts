/**
 * fp16 and q8 models against fp32 on random clips (onnxruntime-web WASM, Node): cosine of fc and
 * the top-1 class (time-averaged logits); q8 file ≤ 27% of the fp32 file; metadata round trip.
 *
 * Two kinds of random weights, both held to the bar (cosine(fc) ≥ 0.999, the same top-1):
 * - test/model-graph/random-state-dict.ts: He-normal convs, BatchNorm statistics near identity.
 * - the PyTorch reference checkpoints (tools/reference/make_checkpoints.py): BatchNorm calibrated on
 *   clips and filters partly aligned with their inputs, so that, like trained networks, they damp weight
 *   noise instead of amplifying it (measured: q8 ≥ 0.9995 at width ÷ 8, ≥ 0.9999 at full width; fp16 ≥ 0.99999).
 */
import { describe, expect, it } from 'vitest';
import { extractFeatures, type I3dFeatures } from '../../src/model/features';
import { buildI3dOnnx, readI3dModelMeta } from '../../src/model/graph/i3d-graph';
import { configureOrt, createSession, release } from '../../src/model/ort';
import type { I3dInfo, ModelDtype, StateDict } from '../../src/model/types';
import { ensureCheckpoints } from '../support/reference';
import { randomStateDict } from './random-state-dict';
import { clip, cosine, loadCheckpoint, top1 } from './support';

configureOrt({ numThreads: 1 });

interface Outcome {
  sizes: Record<ModelDtype, number>;
  cosine: Record<'fp16' | 'q8', number>;
  sameTop1: Record<'fp16' | 'q8', boolean>;
}

async function compareVariants(stateDict: StateDict, info: I3dInfo, n: number, seed: number): Promise<Outcome> {
  const { frames } = await clip(n, info.inChannels, seed);
  const sizes = {} as Outcome['sizes'];
  const out = {} as Record<ModelDtype, I3dFeatures>;
  for (const dtype of ['fp32', 'fp16', 'q8'] as const) {
    const model = buildI3dOnnx(stateDict, info, { dtype, sourceSha256: 'ab'.repeat(32) });
    sizes[dtype] = model.byteLength;
    expect(readI3dModelMeta(model)).toMatchObject({
      dtype,
      compute: 'fp32',
      modality: info.modality,
      classes: info.numClasses,
      inChannels: info.inChannels,
      widthDivisor: info.widthDivisor,
      sourceSha256: 'ab'.repeat(32),
    });
    const s = await createSession(model, { device: 'wasm' });
    try {
      out[dtype] = await extractFeatures(s, frames, n, info.inChannels);
    } finally {
      await release(s);
    }
  }
  const k = info.numClasses;
  const ref = out.fp32;
  const outcome = {
    sizes,
    cosine: { fp16: cosine(out.fp16.fc, ref.fc), q8: cosine(out.q8.fc, ref.fc) },
    sameTop1: { fp16: top1(out.fp16.logits, k) === top1(ref.logits, k), q8: top1(out.q8.logits, k) === top1(ref.logits, k) },
  };
  if (process.env.I3D_PARITY_LOG)
    console.log(
      `${info.modality} ${k} ÷${info.widthDivisor} n=${n}: 1 − cosine(fc) fp16 ${(1 - outcome.cosine.fp16).toExponential(1)} q8 ${(1 - outcome.cosine.q8).toExponential(1)}, same top-1 ${JSON.stringify(outcome.sameTop1)}`,
    );
  return outcome;
}

describe('fp16 and q8 agree with fp32', () => {
  it('full width rgb 400 (He-normal random weights): cosine(fc) ≥ 0.999, same top-1; q8 file ≤ 27% of fp32', async () => {
    const info: I3dInfo = { modality: 'rgb', inChannels: 3, numClasses: 400, widthDivisor: 1 };
    const o = await compareVariants(randomStateDict(info, 11), info, 16, 41);
    expect(o.cosine.fp16).toBeGreaterThanOrEqual(0.999);
    expect(o.cosine.q8).toBeGreaterThanOrEqual(0.999);
    expect(o.sameTop1).toEqual({ fp16: true, q8: true });
    expect(o.sizes.q8 / o.sizes.fp32).toBeLessThanOrEqual(0.27);
    expect(o.sizes.fp16 / o.sizes.fp32).toBeLessThanOrEqual(0.51);
  }, 300_000);

  it('full width rgb 400 reference checkpoint: cosine(fc) ≥ 0.999, same top-1; q8 file ≤ 27% of fp32', async () => {
    const set = await ensureCheckpoints({ divisor: 1 });
    const { stateDict, info } = await loadCheckpoint(set.i3d('rgb', 400, 'legacy03').path);
    const o = await compareVariants(stateDict, info, 16, 42);
    expect(o.cosine.fp16).toBeGreaterThanOrEqual(0.999);
    expect(o.cosine.q8).toBeGreaterThanOrEqual(0.999);
    expect(o.sameTop1).toEqual({ fp16: true, q8: true });
    expect(o.sizes.q8 / o.sizes.fp32).toBeLessThanOrEqual(0.27);
  }, 300_000);

  it('slim flow 157 (both kinds of weights)', async () => {
    const info: I3dInfo = { modality: 'flow', inChannels: 2, numClasses: 157, widthDivisor: 8 };
    const mine = await compareVariants(randomStateDict(info, 12), info, 33, 43);
    expect(mine.cosine.fp16).toBeGreaterThanOrEqual(0.999);
    expect(mine.cosine.q8).toBeGreaterThanOrEqual(0.999);
    expect(mine.sameTop1).toEqual({ fp16: true, q8: true });
    const set = await ensureCheckpoints({ divisor: 8 });
    const ref = await loadCheckpoint(set.i3d('flow', 157, 'zip').path);
    const theirs = await compareVariants(ref.stateDict, ref.info, 33, 43);
    expect(theirs.cosine.fp16).toBeGreaterThanOrEqual(0.999);
    expect(theirs.cosine.q8).toBeGreaterThanOrEqual(0.999);
    expect(theirs.sameTop1).toEqual({ fp16: true, q8: true });
  }, 120_000);
});
