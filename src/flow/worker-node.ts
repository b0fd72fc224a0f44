/** Node worker_threads entry for the flow pool (./pool-node.ts): the same handler as the browser worker (./worker-core.ts). */
import { parentPort } from 'node:worker_threads';
import { type FlowMessage, isFlowWorkerInit } from './protocol';
import { createFlowHandler } from './worker-core';

if (!parentPort) throw new Error('worker-node.ts must run in a worker thread');
const port = parentPort;
const handle = createFlowHandler();
port.on('message', (msg: FlowMessage) => {
  if (isFlowWorkerInit(msg)) return handle.init(msg);
  const { response, transfer } = handle(msg);
  port.postMessage(response, transfer);
});
