import { describe, expect, it } from 'vitest';
import type { VideoMetaJson } from '../pipeline/meta';
import { runFacts } from './summary';

const stream = (backend: string, fallback?: string) => ({
  frames: 40,
  paddedFrames: 0,
  steps: 5,
  model: { name: 'm', modality: 'rgb', classes: 400, dtype: 'q8', compute: 'fp32' as const, widthDivisor: 1 },
  backend,
  fallback,
  chunks: 1,
  files: {},
});

describe('runFacts', () => {
  it('frames, steps, backends, time and speed from meta.json', () => {
    const meta = {
      video: { decodedFrames: 41, fps: 25 },
      streams: { rgb: stream('webgpu'), flow: stream('wasm', 'WebGPU lost') },
      flow: { backend: 'cpu' },
      steps: [{}, {}, {}, {}, {}],
      seconds: { count: 0, extract: 1.5, total: 2 },
    } as unknown as VideoMetaJson;
    expect(runFacts(meta)).toEqual({
      frames: 41,
      steps: 5,
      backend: 'RGB on WebGPU (q8); flow on WebAssembly (q8), fell back: WebGPU lost; TV-L1 on cpu',
      seconds: 2,
      fps: 20.5,
    });
  });

  it('no time: no speed', () => {
    const meta = { video: { decodedFrames: 10 }, streams: {}, steps: [], seconds: {} } as unknown as VideoMetaJson;
    expect(runFacts(meta)).toMatchObject({ seconds: null, fps: null, backend: '' });
  });
});
