/**
 * Random-weight I3D state dicts made in TypeScript (no Python), with He-scaled convolutions and
 * plausible BatchNorm statistics, for graph tests that do not need the PyTorch reference.
 */
import { i3dLayout, i3dParameterShapes } from '../../src/model/i3d-layout';
import type { I3dInfo, StateDict } from '../../src/model/types';
import { mulberry32 } from '../support/prng';

export function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function randomStateDict(info: I3dInfo, seed = 1): StateDict {
  const rand = mulberry32(seed);
  const gauss = normal(rand);
  const sd: StateDict = new Map();
  for (const [key, shape] of i3dParameterShapes(i3dLayout(info))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (key.endsWith('conv3d.weight')) {
      const fanIn = n / shape[0];
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) data[i] = gauss() * std;
    } else if (key.endsWith('bn.weight')) for (let i = 0; i < n; i++) data[i] = 0.5 + rand();
    else if (key.endsWith('bn.running_var')) for (let i = 0; i < n; i++) data[i] = 0.5 + rand();
    else for (let i = 0; i < n; i++) data[i] = 0.1 * gauss(); // biases, running means
    sd.set(key, { dtype: 'float32', shape, data });
  }
  return sd;
}

/** Random normalised frames in [-1, 1], layout (n, 224, 224, C). */
export function randomFrames(n: number, channels: number, seed = 2): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n * 224 * 224 * channels);
  for (let i = 0; i < out.length; i++) out[i] = rand() * 2 - 1;
  return out;
}
