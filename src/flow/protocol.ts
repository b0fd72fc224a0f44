/** Messages between a flow pool and its workers (plain postMessage, buffers transferred, no comlink). */
import type { ErrorInfo } from '../errors';
import type { FaultKind } from '../faults';
import type { TVL1Params, TVL1Stats } from './cpu';

/**
 * Which TV-L1 kernels a worker runs: `wasm` the WebAssembly SIMD kernels (src/flow/wasm), `ts` the pure
 * TypeScript ones; `auto` WebAssembly when the module is given and instantiates, TypeScript otherwise. Both give
 * bit-identical flow.
 */
export type FlowKernels = 'auto' | 'wasm' | 'ts';

/** Sent once to each worker before its first pair. */
export interface FlowWorkerInit {
  type: 'init';
  kernels: FlowKernels;
  /** The compiled kernel module (structured-cloned to every worker; compiled once by the pool's owner). */
  wasm: WebAssembly.Module | null;
  /** Why `wasm` is null (for the error when `kernels` is `wasm`). */
  reason?: string;
}

export interface FlowRequest {
  type?: 'pair';
  id: number;
  width: number;
  height: number;
  /** Grey frames, width·height bytes each; transferred (the worker owns them afterwards). */
  frame0: ArrayBuffer;
  frame1: ArrayBuffer;
  params?: Partial<TVL1Params>;
  /** Test builds only: the worker fails this way on this pair. */
  faultForTest?: FaultKind;
}

export type FlowMessage = FlowRequest | FlowWorkerInit;

export function isFlowWorkerInit(m: FlowMessage): m is FlowWorkerInit {
  return m.type === 'init';
}

export type FlowResponse =
  | {
      id: number;
      ok: true;
      /** H×W×2 float32, channels (x, y); transferred. */
      flow: ArrayBuffer;
      stats: TVL1Stats;
      /** CPU-side compute time of the pair in the worker, ms. */
      ms: number;
      /** The kernels that computed it. */
      kernels: 'wasm' | 'ts';
    }
  | { id: number; ok: false; error: ErrorInfo };
