/** The flow pool (src/flow/pool.ts) on Node worker_threads, for CLIs, benchmarks and tests. */
import { Worker } from 'node:worker_threads';
import { FlowPool, type FlowWorkerPort } from '../../../src/flow/pool';
import type { FlowResponse } from '../../../src/flow/protocol';

const ENTRY = new URL('./flow-node-worker.mjs', import.meta.url);

export function nodeFlowPort(): FlowWorkerPort {
  const worker = new Worker(ENTRY);
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
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

export function createNodeFlowPool(size: number): FlowPool {
  return new FlowPool(nodeFlowPort, size);
}
