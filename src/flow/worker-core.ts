/**
 * The body of a flow worker, independent of the worker API (browser Worker or Node worker_threads): turns a
 * request into a response and the buffers to transfer. Keeps one TV-L1 instance (and so its buffers) per
 * parameter set, reused across pairs of the same size.
 */
import { toErrorInfo } from '../errors';
import { TVL1 } from './cpu';
import type { FlowRequest, FlowResponse } from './protocol';

export type FlowHandler = (req: FlowRequest) => { response: FlowResponse; transfer: ArrayBuffer[] };

export function createFlowHandler(): FlowHandler {
  const solvers = new Map<string, TVL1>();
  return (req) => {
    try {
      const key = JSON.stringify(req.params ?? {});
      let tv = solvers.get(key);
      if (!tv) {
        tv = new TVL1(req.params);
        solvers.set(key, tv);
      }
      const t0 = performance.now();
      const flow = tv.calc(
        { data: new Uint8Array(req.frame0), width: req.width, height: req.height },
        { data: new Uint8Array(req.frame1), width: req.width, height: req.height },
      );
      const ms = performance.now() - t0;
      return { response: { id: req.id, ok: true, flow: flow.buffer as ArrayBuffer, stats: { ...tv.stats }, ms }, transfer: [flow.buffer as ArrayBuffer] };
    } catch (e) {
      return { response: { id: req.id, ok: false, error: toErrorInfo(e) }, transfer: [] };
    }
  };
}
