/** Messages between a flow pool and its workers (plain postMessage, buffers transferred, no comlink). */
import type { ErrorInfo } from '../errors';
import type { TVL1Params, TVL1Stats } from './cpu';

export interface FlowRequest {
  id: number;
  width: number;
  height: number;
  /** Grey frames, width·height bytes each; transferred (the worker owns them afterwards). */
  frame0: ArrayBuffer;
  frame1: ArrayBuffer;
  params?: Partial<TVL1Params>;
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
    }
  | { id: number; ok: false; error: ErrorInfo };
