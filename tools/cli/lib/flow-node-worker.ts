/** Node worker_threads entry for the flow pool: the same handler as the browser worker (src/flow/worker-core.ts). */
import { parentPort } from 'node:worker_threads';
import { type FlowMessage, isFlowWorkerInit } from '../../../src/flow/protocol';
import { createFlowHandler } from '../../../src/flow/worker-core';

if (!parentPort) throw new Error('flow-node-worker must run in a worker thread');
const port = parentPort;
const handle = createFlowHandler();
port.on('message', (msg: FlowMessage) => {
  if (isFlowWorkerInit(msg)) return handle.init(msg);
  const { response, transfer } = handle(msg);
  port.postMessage(response, transfer);
});
