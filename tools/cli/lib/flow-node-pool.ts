/** The flow pool (src/flow/pool.ts) on Node worker_threads, for CLIs, benchmarks and tests. */
import { Worker } from 'node:worker_threads';
import { FlowPool, type FlowWorkerPort } from '../../../src/flow/pool';
import type { FlowKernels, FlowMessage, FlowResponse, FlowWorkerInit } from '../../../src/flow/protocol';
import { loadTVL1WasmModule } from './flow-wasm-node';

const ENTRY = new URL('./flow-node-worker.mjs', import.meta.url);

export function nodeFlowPort(): FlowWorkerPort {
  const worker = new Worker(ENTRY);
  return {
    send: (message: FlowMessage, transfer) => worker.postMessage(message, transfer),
    listen: (onMessage, onError) => {
      worker.on('message', (m: FlowResponse) => onMessage(m));
      worker.on('error', onError);
      worker.on('exit', (code) => {
        if (code !== 0) onError(new Error(`flow worker exited with code ${code}`));
      });
    },
    terminate: () => void worker.terminate(),
  };
}

/** The init message for `kernels`: builds (when stale) and compiles the WebAssembly kernel module unless `ts`. */
export function nodeFlowInit(kernels: FlowKernels = 'auto'): Promise<FlowWorkerInit> {
  if (kernels === 'ts') return Promise.resolve({ type: 'init', kernels, wasm: null });
  return loadTVL1WasmModule().then(
    (wasm): FlowWorkerInit => ({ type: 'init', kernels, wasm }),
    (e: unknown): FlowWorkerInit => ({ type: 'init', kernels, wasm: null, reason: e instanceof Error ? e.message : String(e) }),
  );
}

/** A pool of `size` worker threads; WebAssembly SIMD kernels by default (`kernels: 'ts'` forces TypeScript). */
export function createNodeFlowPool(size: number, options: { kernels?: FlowKernels } = {}): FlowPool {
  return new FlowPool(nodeFlowPort, size, { init: nodeFlowInit(options.kernels) });
}
