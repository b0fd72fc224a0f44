/**
 * The flow pool (./pool.ts) on Node worker_threads, for CLIs, benchmarks and tests. Node only; the browser's is
 * `createBrowserFlowPool` in ./pool.ts. The workers run ./worker-node.ts (through ./worker-node.mjs).
 */
import { Worker } from 'node:worker_threads';
import { FlowPool, flowInit, type FlowWorkerPort } from './pool';
import type { FlowKernels, FlowMessage, FlowResponse } from './protocol';

// Unbundled Node (tsx: the CLIs and benchmarks) has no build-time define of __TEST_HOOKS__, which ./pool.ts reads;
// no test hook exists there. (Vite and Vitest replace the name before this runs.)
(globalThis as { __TEST_HOOKS__?: boolean }).__TEST_HOOKS__ ??= false;

/** Started by path: a plain .mjs that registers tsx in the worker thread, then loads ./worker-node.ts. */
const ENTRY = new URL('./worker-node.mjs', import.meta.url);

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

/** A pool of `size` worker threads; WebAssembly SIMD kernels by default (`kernels: 'ts'` forces TypeScript). */
export function createNodeFlowPool(size: number, options: { kernels?: FlowKernels } = {}): FlowPool {
  return new FlowPool(nodeFlowPort, size, { init: flowInit(options.kernels) });
}
