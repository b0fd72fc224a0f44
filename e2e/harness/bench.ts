/**
 * Harness functions for `npm run bench` (merged into `window.harness` by index.ts): the app's own decoder,
 * flow worker pool and model sessions, timed in the page. Inputs are fetched before any clock starts; every
 * function returns the seconds of each timed run and does its untimed warm-up itself.
 */
import { decodeVideo } from '../../src/decode/client';
import { createBrowserFlowPool } from '../../src/flow/pool';
import { createWebGpuTvl1 } from '../../src/flow/webgpu/tvl1-webgpu';
import { decodeNpy } from '../../src/io/npy';
import { runI3d } from '../../src/model/features';
import { createSession, release } from '../../src/model/ort';
import type { Device } from '../../src/model/types';
import { graphFor } from '../../src/model/runtime';
import { capabilities } from '../../src/platform/capabilities';
import { mulberry32 } from '../../test/support/prng';
import { fetchBytes } from './io';

/** Deterministic values in [−1, 1) (mulberry32): I3D's time does not depend on them. */
function pseudoRandomInput(length: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length }, () => 2 * r() - 1);
}

/** Grey uint8 frames (n, H, W) from an .npy file; at least `pairs` + 1 of them. */
async function greyFrames(url: string, pairs: number) {
  const npy = decodeNpy(await fetchBytes(url));
  const [n, height, width] = npy.shape;
  if (!(npy.data instanceof Uint8Array) || npy.shape.length !== 3 || n < pairs + 1) throw new Error(`${url}: expected uint8 (>${pairs}, H, W)`);
  const data = npy.data;
  return { width, height, frame: (i: number) => data.subarray(i * width * height, (i + 1) * width * height) };
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

export interface BenchDecodeResult {
  frames: number;
  width: number;
  height: number;
  /** Seconds of each timed decode (after one untimed decode that compiles ffmpeg.wasm). */
  seconds: number[];
}

export interface BenchI3dResult {
  device: string;
  fallbackReasons: readonly string[];
  /** Session creation (model parse, graph optimisation, weights upload). */
  loadSeconds: number;
  /** The first run (allocations, kernel selection), not counted in `seconds`. */
  warmupSeconds: number;
  seconds: number[];
}

export const benchHarness = {
  /** What the page runs on: WebGPU adapter (and whether it is software), cores, cross-origin isolation. */
  async benchEnvironment() {
    const caps = await capabilities();
    return {
      adapter: caps.adapter,
      softwareAdapter: caps.softwareAdapter,
      shaderF16: caps.shaderF16,
      cores: caps.cores,
      isolated: caps.isolated,
      userAgent: navigator.userAgent,
    };
  },

  /**
   * Decodes the video at `url` with the app's ffmpeg.wasm client (canonical filter, frames streamed to this
   * page in batches, as the pipeline consumes them) `runs` times; frames are counted, not hashed.
   */
  async benchDecode(url: string, name: string, runs: number, fps?: number): Promise<BenchDecodeResult> {
    const file = new File([await fetchBytes(url)], name);
    const out: BenchDecodeResult = { frames: 0, width: 0, height: 0, seconds: [] };
    for (let r = 0; r <= runs; r++) {
      let frames = 0;
      const t0 = performance.now();
      for await (const batch of decodeVideo(file, { fps })) {
        frames += batch.frames.length;
        out.width = batch.width;
        out.height = batch.height;
      }
      if (r > 0) out.seconds.push(seconds(t0));
      out.frames = frames;
    }
    return out;
  },

  /**
   * TV-L1 on the app's pool of flow workers (the CPU path of the pipeline) with `workers` workers: the .npy at
   * `url` holds grey uint8 frames (n, H, W); pairs (i, i+1) for i < `pairs`, all submitted at once, `runs` times.
   * One pair per worker first, untimed (worker start, module compilation).
   */
  async benchFlowPool(url: string, pairs: number, workers: number, runs: number) {
    const { frame, width, height } = await greyFrames(url, pairs);
    const pool = createBrowserFlowPool(workers);
    try {
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.computePair(frame(i % pairs), frame((i % pairs) + 1), width, height)));
      const out: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await Promise.all(Array.from({ length: pairs }, (_, i) => pool.computePair(frame(i), frame(i + 1), width, height)));
        out.push(seconds(t0));
      }
      return { width, height, pool: pool.size, seconds: out };
    } finally {
      pool.terminate();
    }
  },

  /**
   * The app's WebGPU TV-L1 (src/flow/webgpu, the pipeline's default batch size) on pairs (i, i+1), i < `pairs`,
   * of the grey frames at `url`, as one batch: one untimed batch (pipeline compilation), then `runs` timed ones.
   */
  async benchFlowWebgpu(url: string, pairs: number, runs: number) {
    const { frame, width, height } = await greyFrames(url, pairs);
    const tv = await createWebGpuTvl1();
    if (!tv) throw new Error('no WebGPU adapter');
    try {
      const batch = Array.from({ length: pairs }, (_, i) => ({ gray0: frame(i), gray1: frame(i + 1) }));
      await tv.calcBatch(batch, width, height);
      const out: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await tv.calcBatch(batch, width, height);
        out.push(seconds(t0));
      }
      return { adapter: tv.adapterDescription, maxBatch: tv.maxBatch, seconds: out };
    } finally {
      tv.destroy();
    }
  },

  /**
   * One I3D model (ONNX at `url`) through the app's session module and feature path (src/model/ort.ts,
   * runI3d) with the pipeline's graph for the device (graphFor, src/model/runtime.ts — WASM: the Winograd
   * rewrite, made in the session's load time; WebGPU: the stored graph): one untimed run, then `runs` timed runs
   * of a (1, C, T, 224, 224) clip. `threads` applies only if this page has not started onnxruntime's WASM runtime
   * yet (use a fresh page per thread count).
   */
  async benchI3d(url: string, channels: number, T: number, device: Device, threads: number, runs: number): Promise<BenchI3dResult> {
    const bytes = await fetchBytes(url);
    const x = pseudoRandomInput(channels * T * 224 * 224, 12345);
    let t0 = performance.now();
    const session = await createSession(bytes, { device, fallback: false, threads, modelFor: graphFor(bytes) }); // the pipeline's graph per device
    const loadSeconds = seconds(t0);
    try {
      t0 = performance.now();
      await runI3d(session, x, T, channels);
      const warmupSeconds = seconds(t0);
      const out: number[] = [];
      for (let r = 0; r < runs; r++) {
        t0 = performance.now();
        await runI3d(session, x, T, channels);
        out.push(seconds(t0));
      }
      return { device: session.device, fallbackReasons: session.fallbackReasons, loadSeconds, warmupSeconds, seconds: out };
    } finally {
      await release(session);
    }
  },
};
