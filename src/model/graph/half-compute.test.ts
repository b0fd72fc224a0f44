import { describe, expect, it } from 'vitest';
import { randomFrames, randomStateDict } from '../../../test/model-graph/random-state-dict';
import { isAppError } from '../../errors';
import { extractFeatures } from '../features';
import { configureOrt, createSession, release } from '../ort';
import type { I3dInfo } from '../types';
import { toHalfCompute } from './half-compute';
import { buildI3dOnnx, readI3dModelMeta } from './i3d-graph';

configureOrt({ numThreads: 1 });
const info: I3dInfo = { modality: 'rgb', inChannels: 3, numClasses: 400, widthDivisor: 8 };
const sd = randomStateDict(info, 8);

describe('half-compute graph from a stored fp16 model', () => {
  it('computes exactly what the builder’s fp16-compute graph computes (run on WASM here)', async () => {
    const rewritten = toHalfCompute(buildI3dOnnx(sd, info, { dtype: 'fp16', sourceSha256: 'ef'.repeat(32) }));
    expect(readI3dModelMeta(rewritten)).toMatchObject({ dtype: 'fp16', compute: 'fp16', sourceSha256: 'ef'.repeat(32) });
    const built = buildI3dOnnx(sd, info, { dtype: 'fp16', compute: 'fp16' });
    const frames = randomFrames(9, 3, 10);
    const out = [];
    for (const model of [rewritten, built]) {
      const s = await createSession(model, { device: 'wasm' });
      try {
        out.push(await extractFeatures(s, frames, 9, 3));
      } finally {
        await release(s);
      }
    }
    expect(out[0].fc).toEqual(out[1].fc);
    expect(out[0].map).toEqual(out[1].map);
    expect(out[0].logits).toEqual(out[1].logits);
  }, 60_000);

  it('accepts only fp16 models with float32 compute', () => {
    for (const model of [buildI3dOnnx(sd, info, { dtype: 'q8' }), buildI3dOnnx(sd, info, { dtype: 'fp16', compute: 'fp16' })]) {
      let code = '';
      try {
        toHalfCompute(model);
      } catch (e) {
        code = isAppError(e) ? e.code : String(e);
      }
      expect(code).toBe('E_MODEL_FORMAT');
    }
  });
});
