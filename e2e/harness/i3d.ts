/**
 * Harness functions that load I3D models on onnxruntime-web and compare their outputs (merged into
 * `window.harness` by index.ts; used by e2e/wasm-graph.spec.ts). Sessions stay loaded between calls, so a test
 * can run several models on the same input.
 */
import { maxAbsDiff } from '../../test/support/compare';
import { mulberry32 } from '../../test/support/prng';
import { runI3d } from '../../src/model/features';
import { createSession, release, type ModelSession } from '../../src/model/ort';
import type { Device } from '../../src/model/types';
import { fetchBytes } from './io';

const sessions = new Map<number, { session: ModelSession; channels: number }>();
const inputs = new Map<number, Float32Array>();
let nextId = 1;

/** A deterministic input in [−1, 1) of shape (1, C, T, 224, 224) (made once per shape). */
function input(channels: number, T: number): Float32Array {
  const n = channels * T * 224 * 224;
  let x = inputs.get(n);
  if (!x) {
    const r = mulberry32(12345);
    x = Float32Array.from({ length: n }, () => 2 * r() - 1);
    inputs.set(n, x);
  }
  return x;
}

export const i3dHarness = {
  /** Loads a model on `device` (no fallback); returns its id and the load time. */
  async i3dLoad(url: string, channels: number, device: Device = 'wasm', preferredLayout?: 'NCHW' | 'NHWC') {
    const bytes = await fetchBytes(url);
    const t0 = performance.now();
    const session = await createSession(bytes, { device, fallback: false, preferredLayout });
    const id = nextId++;
    sessions.set(id, { session, channels });
    return { id, loadSeconds: (performance.now() - t0) / 1000, device: session.device };
  },

  async i3dRelease(id: number) {
    const s = sessions.get(id);
    sessions.delete(id);
    if (s) await release(s.session);
  },

  /** Max abs differences of the outputs of two loaded sessions on the same input. */
  async i3dCompare(a: number, b: number, T: number) {
    const [sa, sb] = [sessions.get(a), sessions.get(b)];
    if (!sa || !sb) throw new Error('unknown session');
    const x = input(sa.channels, T);
    const [ra, rb] = [await runI3d(sa.session, x, T, sa.channels), await runI3d(sb.session, x, T, sb.channels)];
    return { fc: maxAbsDiff(ra.fc, rb.fc), map: maxAbsDiff(ra.map, rb.map), logits: maxAbsDiff(ra.logits, rb.logits) };
  },
};
