/**
 * Harness functions for the WebGPU TV-L1 (merged into `window.harness` by harness.ts). Frames and flows cross
 * the page boundary as base64 so that every float arrives bit for bit.
 */
import { isAppError } from '../../src/errors';
import type { TVL1Params } from '../../src/flow/cpu/params';
import { type WebGpuTvl1, type WebGpuTvl1Options, createWebGpuTvl1 } from '../../src/flow/webgpu/tvl1-webgpu';
import { fromBase64, toBase64 } from './io';

export interface FlowHarnessPair {
  /** base64 of the uint8 grey frames */
  gray0: string;
  gray1: string;
}

export interface FlowHarnessOptions {
  mode?: WebGpuTvl1Options['mode'];
  loopMaxPixels?: number;
  maxBatch?: number;
  params?: Partial<TVL1Params>;
  /** Timed repetitions of the whole batch after the first (default 0). */
  repeat?: number;
}

export interface FlowHarnessResult {
  adapter: string;
  loopMaxPixels: number;
  /** Seconds of the first calcBatch, and of each repetition. */
  seconds: number[];
  flows: Array<{ flow: string; innerIterations: number; outerIterations: number }>;
}

/** Instances by options, kept for the page's lifetime (pipelines compile once). */
const instances = new Map<string, Promise<WebGpuTvl1 | null>>();

function instance(opts: FlowHarnessOptions): Promise<WebGpuTvl1 | null> {
  const key = JSON.stringify([opts.mode, opts.loopMaxPixels, opts.maxBatch, opts.params]);
  let tv = instances.get(key);
  if (!tv) {
    tv = createWebGpuTvl1({ mode: opts.mode, loopMaxPixels: opts.loopMaxPixels, maxBatch: opts.maxBatch, params: opts.params });
    instances.set(key, tv);
  }
  return tv;
}

const errorCode = (e: unknown) => (isAppError(e) ? e.code : `not an AppError: ${String(e)}`);

export interface FlowHarness {
  flowWebgpuAdapter(): Promise<string | null>;
  flowWebgpuRun(pairs: FlowHarnessPair[], width: number, height: number, opts?: FlowHarnessOptions): Promise<FlowHarnessResult>;
  flowWebgpuWithoutAdapter(): Promise<boolean>;
  flowWebgpuLoss(pair: FlowHarnessPair, width: number, height: number): Promise<{ pending: string; lost: string; after: string; ms: number }>;
  flowWebgpuBadSizes(): Promise<string[]>;
}

export const flowHarness: FlowHarness = {
  /** The adapter's description, or null without WebGPU. */
  async flowWebgpuAdapter() {
    const tv = await createWebGpuTvl1();
    if (!tv) return null;
    tv.destroy();
    return tv.adapterDescription;
  },

  async flowWebgpuRun(pairs, width, height, opts = {}) {
    const tv = await instance(opts);
    if (!tv) throw new Error('no WebGPU adapter');
    const input = pairs.map((p) => ({ gray0: fromBase64(p.gray0), gray1: fromBase64(p.gray1) }));
    const seconds: number[] = [];
    let results = null;
    for (let k = 0; k <= (opts.repeat ?? 0); k++) {
      const t0 = performance.now();
      results = await tv.calcBatch(input, width, height);
      seconds.push((performance.now() - t0) / 1000);
    }
    return {
      adapter: tv.adapterDescription,
      loopMaxPixels: tv.loopMaxPixels,
      seconds,
      flows: (results ?? []).map((r) => ({
        flow: toBase64(new Uint8Array(r.flow.buffer, r.flow.byteOffset, r.flow.byteLength)),
        innerIterations: r.innerIterations,
        outerIterations: r.outerIterations,
      })),
    };
  },

  /** createWebGpuTvl1 answers null (no throw) when the entry point has no adapter. */
  async flowWebgpuWithoutAdapter() {
    const gpu = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
    return (await createWebGpuTvl1({ gpu })) === null;
  },

  /** Loses the device while a calc is in flight: the calc, and the next one, must reject with E_GPU_LOST. */
  async flowWebgpuLoss(pair, width, height) {
    const tv = await createWebGpuTvl1();
    if (!tv) throw new Error('no WebGPU adapter');
    const t0 = performance.now();
    const pending = tv.calc(fromBase64(pair.gray0), fromBase64(pair.gray1), width, height).then(() => 'resolved', errorCode);
    await new Promise((r) => setTimeout(r, 50));
    tv.destroy();
    const code = await pending;
    const lost = await tv.lost;
    const after = await tv.calc(fromBase64(pair.gray0), fromBase64(pair.gray1), width, height).then(() => 'resolved', errorCode);
    return { pending: code, lost, after, ms: performance.now() - t0 };
  },

  /** Error codes for mismatched and empty inputs. */
  async flowWebgpuBadSizes() {
    const tv = await createWebGpuTvl1();
    if (!tv) throw new Error('no WebGPU adapter');
    try {
      const a = new Uint8Array(12);
      const b = new Uint8Array(15);
      return [
        await tv.calc(a, b, 4, 3).then(() => 'resolved', errorCode),
        await tv.calc(a, a, 0, 3).then(() => 'resolved', errorCode),
        await tv.calc(a, a, 5, 3).then(() => 'resolved', errorCode),
      ];
    } finally {
      tv.destroy();
    }
  },
};
