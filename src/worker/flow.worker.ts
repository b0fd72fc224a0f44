/// <reference lib="webworker" />
/** Thin TV-L1 worker: one frame pair per message (see src/flow/pool.ts). */
import type { FlowRequest } from '../flow/protocol';
import { createFlowHandler } from '../flow/worker-core';

const handle = createFlowHandler();

self.addEventListener('message', (ev: MessageEvent<FlowRequest>) => {
  const { response, transfer } = handle(ev.data);
  self.postMessage(response, transfer);
});
