import { describe, expect, it } from 'vitest';
import { randomFrames, randomStateDict } from '../../../test/model-graph/random-state-dict';
import { extractFeatures } from '../features';
import { configureOrt, createSession, release } from '../ort';
import type { I3dInfo, ModelDtype } from '../types';
import { toHalfCompute } from './half-compute';
import { buildI3dOnnx } from './i3d-graph';
import { toWebGpuGraph } from './webgpu-graph';

const SLIM: I3dInfo = { modality: 'flow', inChannels: 2, numClasses: 400, widthDivisor: 8 };
const sd = randomStateDict(SLIM, 6);

configureOrt({ numThreads: 1 });

describe('WebGPU graph forms (run here on WASM: the same arithmetic)', () => {
  it('rewrites every 1×1×1 conv as a MatMul, and the Winograd convs; leaves half compute alone', () => {
    const q8 = buildI3dOnnx(sd, SLIM, { dtype: 'q8' });
    const report: Record<string, string> = {};
    toWebGpuGraph(q8, { mm1: true, winograd: true, report });
    const how = Object.values(report);
    // Conv3d_2b, the nine blocks' b0, b1a, b2a, b3b, and the logits
    expect(how.filter((h) => h === 'MatMul')).toHaveLength(1 + 9 * 4 + 1);
    expect(how.filter((h) => h.startsWith('F('))).toHaveLength(20);
    const half = toHalfCompute(buildI3dOnnx(sd, SLIM, { dtype: 'fp16' }));
    expect(toWebGpuGraph(half, { mm1: true })).toBe(half);
  });

  for (const dtype of ['fp32', 'q8'] as ModelDtype[]) {
    it(`${dtype}: the same features as the stored graph (9 and 33 frames)`, async () => {
      const model = buildI3dOnnx(sd, SLIM, { dtype });
      const plain = await createSession(model, { device: 'wasm' });
      const forms = [
        await createSession(toWebGpuGraph(model, { mm1: true }), { device: 'wasm' }),
        await createSession(toWebGpuGraph(model, { mm1: true, winograd: true }), { device: 'wasm' }),
      ];
      try {
        for (const n of [9, 33]) {
          const frames = randomFrames(n, 2, 10 + n);
          const a = await extractFeatures(plain, frames, n, 2);
          for (const s of forms) {
            const b = await extractFeatures(s, frames, n, 2);
            for (const k of ['fc', 'map', 'logits'] as const) {
              let diff = 0;
              let scale = 1;
              for (let i = 0; i < a[k].length; i++) {
                diff = Math.max(diff, Math.abs(a[k][i] - b[k][i]));
                scale = Math.max(scale, Math.abs(a[k][i]));
              }
              expect(b[k].length).toBe(a[k].length);
              expect(diff, `${k} n=${n}`).toBeLessThanOrEqual(1e-5 * scale);
            }
          }
        }
      } finally {
        await release(plain);
        for (const s of forms) await release(s);
      }
    });
  }
});
