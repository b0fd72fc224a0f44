/**
 * The body of a flow worker, independent of the worker API (browser Worker or Node worker_threads): turns a
 * request into a response and the buffers to transfer. Keeps one TV-L1 instance (and so its buffers) per
 * parameter set, reused across pairs of the same size. Runs the WebAssembly SIMD kernels once an init message
 * brought the compiled module (and `kernels` is not `ts`), the TypeScript kernels otherwise.
 */
import { AppError, toErrorInfo } from '../errors';
import { TVL1 } from './cpu';
import type { FlowKernels, FlowRequest, FlowResponse, FlowWorkerInit } from './protocol';
import { createWasmKernels } from './wasm/kernels';

export interface FlowHandler {
  (req: FlowRequest): { response: FlowResponse; transfer: ArrayBuffer[] };
  /** Applies an init message (drops the solvers made so far). */
  init(msg: FlowWorkerInit): void;
}

export function createFlowHandler(init?: FlowWorkerInit): FlowHandler {
  const solvers = new Map<string, { tv: TVL1; kernels: 'wasm' | 'ts' }>();
  let choice: FlowKernels = 'ts';
  let wasm: WebAssembly.Module | null = null;
  let reason = '';

  const solver = (key: string, params: FlowRequest['params']) => {
    let s = solvers.get(key);
    if (s) return s;
    if (choice !== 'ts' && wasm) {
      try {
        s = { tv: new TVL1(params, createWasmKernels(wasm)), kernels: 'wasm' };
      } catch (e) {
        reason = `the WebAssembly kernels did not instantiate: ${e instanceof Error ? e.message : String(e)}`;
        if (choice === 'wasm') throw new AppError('E_INTERNAL', reason);
        wasm = null; // auto: TypeScript from now on
      }
    } else if (choice === 'wasm') {
      throw new AppError('E_INTERNAL', `WebAssembly TV-L1 kernels requested but unavailable${reason ? `: ${reason}` : ''}`);
    }
    s ??= { tv: new TVL1(params), kernels: 'ts' };
    solvers.set(key, s);
    return s;
  };

  const handle = ((req: FlowRequest) => {
    try {
      const { tv, kernels } = solver(JSON.stringify(req.params ?? {}), req.params);
      const t0 = performance.now();
      const flow = tv.calc(
        { data: new Uint8Array(req.frame0), width: req.width, height: req.height },
        { data: new Uint8Array(req.frame1), width: req.width, height: req.height },
      );
      const ms = performance.now() - t0;
      return {
        response: { id: req.id, ok: true, flow: flow.buffer as ArrayBuffer, stats: { ...tv.stats }, ms, kernels },
        transfer: [flow.buffer as ArrayBuffer],
      };
    } catch (e) {
      return { response: { id: req.id, ok: false, error: toErrorInfo(e) }, transfer: [] };
    }
  }) as FlowHandler;
  handle.init = (msg) => {
    choice = msg.kernels;
    wasm = msg.kernels === 'ts' ? null : msg.wasm;
    reason = msg.reason ?? '';
    solvers.clear();
  };
  if (init) handle.init(init);
  return handle;
}
