import { describe, expect, it } from 'vitest';
import { randomStateDict } from '../../test/model-graph/random-state-dict';
import { isAppError } from '../errors';
import { buildI3dOnnx } from './graph/i3d-graph';
import { configureOrt, createSession, release, run } from './ort';

configureOrt({ numThreads: 1 });
const info = { modality: 'flow' as const, inChannels: 2, numClasses: 157, widthDivisor: 8 };
const model = buildI3dOnnx(randomStateDict(info, 6), info, { dtype: 'q8' });

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isAppError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return 'no error';
}

describe('ort session module (Node)', () => {
  it('falls back from webgpu to wasm here and says why', async () => {
    const s = await createSession(model, { device: 'webgpu' });
    expect(s.device).toBe('wasm');
    expect(s.fallbackReasons).toHaveLength(1);
    expect(s.fallbackReasons[0]).toMatch(/^webgpu: /);
    expect(s.inputNames).toEqual(['x', 'pads_conv1a', 'pads_pool4a', 'pads_pool5a']);
    expect(s.outputNames).toEqual(['fc', 'map', 'logits']);
    await release(s);
    await release(s); // twice is fine
    await expect(run(s, {})).rejects.toThrow(/released/);
  });

  it('gives typed errors: no device without fallback, a corrupt model, a bad feed', async () => {
    expect(await errorCode(createSession(model, { device: 'webgpu', fallback: false }))).toBe('E_MODEL_LOAD');
    expect(await errorCode(createSession(model.slice(0, 5000), { device: 'wasm' }))).toBe('E_MODEL_LOAD');
    const s = await createSession(model, { device: 'wasm' });
    try {
      expect(await errorCode(run(s, { x: { type: 'float32', data: new Float32Array(4), dims: [1, 2, 1, 1, 2] } }))).toBe('E_MODEL_RUN');
    } finally {
      await release(s);
    }
  });
});
