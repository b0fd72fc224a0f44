/// <reference lib="webworker" />
/** Thin TV-L1 worker: an init message (kernel module) first, then one frame pair per message (see src/flow/pool.ts). */
import { toErrorInfo } from '../errors';
import { wasmMemoryExhausted } from '../faults';
import { type FlowMessage, type FlowResponse, isFlowWorkerInit } from '../flow/protocol';
import { createFlowHandler } from '../flow/worker-core';
import { holdLifeLock } from '../platform/liveness';

void holdLifeLock();

const handle = createFlowHandler();

self.addEventListener('message', (ev: MessageEvent<FlowMessage>) => {
  if (isFlowWorkerInit(ev.data)) return handle.init(ev.data);
  if (__TEST_HOOKS__ && ev.data.faultForTest) {
    // a crash: an uncaught error in the global scope; an exit: the worker ends, answering nothing
    if (ev.data.faultForTest === 'crash') throw new Error('a crash requested by a test');
    if (ev.data.faultForTest === 'exit') return self.close();
    const response: FlowResponse = { id: ev.data.id, ok: false, error: toErrorInfo(wasmMemoryExhausted()) };
    return self.postMessage(response);
  }
  const { response, transfer } = handle(ev.data);
  self.postMessage(response, transfer);
});
