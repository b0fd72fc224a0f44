/**
 * Harness functions that time I3D models on onnxruntime-web in the browser (merged into `window.harness` by
 * harness.ts; driven by tools/bench/i3d-browser.ts). Sessions stay loaded between calls, so a driver can
 * interleave runs of several models (A/B/A/B…) on one page. WASM threads are fixed when the runtime first
 * starts: use one page per thread count (`i3dInit` before anything else).
 */
import { decodeNpy } from '../io/npy';
import { runI3d } from '../model/features';
import { configureOrt, createSession, endProfiling, release, run, type FeedTensor, type ModelSession, type SessionTuning } from '../model/ort';
import type { Device } from '../model/types';
import { fetchBytes } from './harness-io';

const sessions = new Map<number, { session: ModelSession; channels: number }>();
const inputs = new Map<string, Float32Array>();
let nextId = 1;

/** A deterministic input in [−1, 1] of shape (1, C, T, 224, 224). */
function input(channels: number, T: number): Float32Array {
  return values(channels * T * 224 * 224);
}

/** `n` deterministic values in [−1, 1] (made once per length). */
function values(n: number): Float32Array {
  const key = String(n);
  let x = inputs.get(key);
  if (!x) {
    x = new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < x.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x[i] = s / 2147483648 - 1;
    }
    inputs.set(key, x);
  }
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

export const i3dHarness = {
  /** Sets the WASM thread count (before the first session of this page). */
  i3dInit(threads: number) {
    configureOrt({ numThreads: threads });
    return { isolated: crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency };
  },

  /** Loads a model; returns its id and the load time. */
  async i3dLoad(url: string, channels: number, device: Device = 'wasm', tuning?: SessionTuning, preferredLayout?: 'NCHW' | 'NHWC') {
    const bytes = await fetchBytes(url);
    const t0 = performance.now();
    const session = await createSession(bytes, { device, fallback: false, tuning, preferredLayout });
    const id = nextId++;
    sessions.set(id, { session, channels });
    return { id, loadSeconds: (performance.now() - t0) / 1000, device: session.device };
  },

  /** One timed run of T frames (input made once per shape, outside the timing). */
  async i3dRun(id: number, T: number) {
    const s = sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    const x = input(s.channels, T);
    const t0 = performance.now();
    const r = await runI3d(s.session, x, T, s.channels);
    return { seconds: (performance.now() - t0) / 1000, steps: r.steps, fc0: r.fc[0] };
  },

  /** Ends profiling of a session loaded with `enableProfiling` (ORT prints the events to the console). */
  i3dEndProfiling(id: number) {
    const s = sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    endProfiling(s.session);
  },

  /** One timed run of any model (e.g. a single layer) on deterministic float32 inputs of the given shapes. */
  async i3dRunRaw(id: number, shapes: Record<string, number[]>) {
    const s = sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    const feeds: Record<string, FeedTensor> = {};
    for (const [name, dims] of Object.entries(shapes)) feeds[name] = { type: 'float32', data: values(dims.reduce((a, b) => a * b, 1)), dims };
    const t0 = performance.now();
    const out = await run(s.session, feeds);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.dims])) };
  },

  /** Runs two models on the same inputs and returns the max abs difference of each output (by position). */
  async i3dCompareRaw(a: number, b: number, shapes: Record<string, number[]>) {
    const feeds: Record<string, FeedTensor> = {};
    for (const [name, dims] of Object.entries(shapes)) feeds[name] = { type: 'float32', data: values(dims.reduce((x, y) => x * y, 1)), dims };
    const [sa, sb] = [sessions.get(a), sessions.get(b)];
    if (!sa || !sb) throw new Error('unknown session');
    const [ra, rb] = [Object.values(await run(sa.session, feeds)), Object.values(await run(sb.session, feeds))];
    return ra.map((o, i) => ({ dims: [o.dims, rb[i]?.dims], maxAbsDiff: rb[i] ? maxAbsDiff(o.data, rb[i].data) : Infinity, maxAbs: maxAbsDiff(o.data, new Float32Array(o.data.length)) }));
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

  /** Runs a session on an input served as .npy (shape (1, C, T, 224, 224)) and returns its raw outputs. */
  async i3dOutputs(id: number, npyUrl: string) {
    const s = sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    const a = decodeNpy(await fetchBytes(npyUrl));
    if (!(a.data instanceof Float32Array)) throw new Error('input must be float32');
    const r = await runI3d(s.session, a.data, a.shape[2], s.channels);
    return { fc: Array.from(r.fc), logits: Array.from(r.logits), steps: r.steps };
  },
};
