/**
 * Harness functions for the CPU TV-L1 pool in the browser (merged into `window.harness` by harness.ts): the app's
 * own pool of flow workers (src/flow/pool.ts) with the WebAssembly SIMD kernels or the TypeScript ones. Frames and
 * flows cross the page boundary as base64 so that every float arrives bit for bit.
 */
import { createBrowserFlowPool } from '../../src/flow/pool';
import type { FlowKernels } from '../../src/flow/protocol';
import { fromBase64, toBase64 } from './io';

export interface WasmHarnessOptions {
  /** Workers in the pool (default 1). */
  workers?: number;
  kernels?: FlowKernels;
  /** Timed runs of all pairs after the untimed warm-up (default 1). */
  runs?: number;
}

export interface WasmHarnessResult {
  /** Kernels that computed each pair of the first timed run. */
  kernels: string[];
  /** Wall seconds of each timed run (all pairs submitted at once). */
  seconds: number[];
  /** In-worker ms of every pair of every timed run. */
  msPerPair: number[];
  /** base64 of each pair's flow (first timed run). */
  flows: string[];
}

export interface WasmHarness {
  flowPoolRun(pairs: Array<{ gray0: string; gray1: string }>, width: number, height: number, opts?: WasmHarnessOptions): Promise<WasmHarnessResult>;
}

export const wasmHarness: WasmHarness = {
  async flowPoolRun(pairs, width, height, opts = {}) {
    const workers = opts.workers ?? 1;
    const input = pairs.map((p) => [fromBase64(p.gray0), fromBase64(p.gray1)] as const);
    const pool = createBrowserFlowPool(workers, { kernels: opts.kernels ?? 'auto' });
    try {
      // warm-up: one pair per worker (starts the workers, compiles and optimises the kernels)
      await Promise.all(Array.from({ length: workers }, (_, i) => pool.computePair(...input[i % input.length], width, height)));
      const result: WasmHarnessResult = { kernels: [], seconds: [], msPerPair: [], flows: [] };
      for (let r = 0; r < (opts.runs ?? 1); r++) {
        const t0 = performance.now();
        const out = await Promise.all(input.map(([a, b]) => pool.computePair(a, b, width, height)));
        result.seconds.push((performance.now() - t0) / 1000);
        result.msPerPair.push(...out.map((o) => o.ms));
        if (r === 0) {
          result.kernels = out.map((o) => o.kernels);
          result.flows = out.map((o) => toBase64(new Uint8Array(o.flow.buffer, o.flow.byteOffset, o.flow.byteLength)));
        }
      }
      return result;
    } finally {
      pool.terminate();
    }
  },
};
