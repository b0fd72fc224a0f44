/// <reference lib="webworker" />
/** Thin TV-L1 worker: an init message (kernel module) first, then one frame pair per message (see src/flow/pool.ts). */
import { type FlowMessage, isFlowWorkerInit } from '../flow/protocol';
import { createFlowHandler } from '../flow/worker-core';

const handle = createFlowHandler();

self.addEventListener('message', (ev: MessageEvent<FlowMessage>) => {
  if (isFlowWorkerInit(ev.data)) return handle.init(ev.data);
  const { response, transfer } = handle(ev.data);
  self.postMessage(response, transfer);
});
