/// <reference lib="webworker" />
/** Thin decode worker: one request per worker lifetime; the client terminates it to cancel. */
import { toErrorInfo } from '../errors';
import { wasmMemoryExhausted, type FaultKind } from '../faults';
import { decode, loadCore, probe } from '../decode/core';
import { holdLifeLock } from '../platform/liveness';
import type { DecodeRequest, DecodeResponse, FrameBatch } from '../decode/protocol';
import type { RgbFrame } from '../decode/ppm-stream';

const alive = holdLifeLock();

const EMPTY = new Uint8Array(0);
const post = (msg: DecodeResponse, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

/** Test builds: unwinds ffmpeg (thrown from its output callback) without an answer; then the worker dies as asked. */
class TestFault extends Error {
  constructor(readonly kind: FaultKind) {
    super('a fault requested by a test');
  }
}

function testFault(kind: FaultKind): never {
  if (kind === 'oom') throw wasmMemoryExhausted();
  throw new TestFault(kind);
}

async function handle(req: DecodeRequest): Promise<void> {
  const core = await loadCore(req.wasm);
  // before the synchronous decode, so that the client watches this worker's end (../platform/liveness.ts)
  await alive;
  if (req.type === 'probe') {
    const meta = probe(core, req.file);
    let thumbnail: RgbFrame | undefined;
    if (req.thumbnail) {
      decode(core, req.file, { maxFrames: 1 }, (f) => {
        thumbnail = f;
      });
    }
    post({ type: 'probe', meta, thumbnail }, thumbnail ? [thumbnail.data.buffer] : []);
    return;
  }
  const control = req.control ? new Int32Array(req.control) : null;
  let pending: FrameBatch | null = null;
  const flush = () => {
    if (!pending) return;
    post({ type: 'batch', batch: pending }, req.countOnly ? [] : pending.frames.map((f) => f.buffer));
    pending = null;
    if (!control) return;
    Atomics.add(control, 0, 1);
    // back-pressure: wait while the consumer holds too many batches
    for (let n = Atomics.load(control, 0); n >= req.maxInFlight; n = Atomics.load(control, 0)) {
      Atomics.wait(control, 0, n, 1000);
    }
  };
  let index = 0;
  const end = decode(core, req.file, req.options, (f) => {
    if (__TEST_HOOKS__ && req.faultForTest && index === req.faultForTest.afterFrames) testFault(req.faultForTest.kind);
    if (pending && (pending.width !== f.width || pending.height !== f.height)) flush();
    pending ??= { start: index, width: f.width, height: f.height, frames: [] };
    pending.frames.push(req.countOnly ? EMPTY : f.data);
    index++;
    if (pending.frames.length >= req.batchFrames) flush();
  });
  flush();
  post({ type: 'end', frameCount: end.frameCount, warnings: end.warnings });
}

self.onmessage = (ev: MessageEvent<DecodeRequest>) => {
  handle(ev.data).catch((e: unknown) => {
    if (__TEST_HOOKS__ && e instanceof TestFault) {
      // a crash: an uncaught error in the global scope; an exit: the worker ends, answering nothing
      if (e.kind === 'exit') self.close();
      else
        setTimeout(() => {
          throw new Error('a crash requested by a test');
        });
      return;
    }
    post({ type: 'error', error: toErrorInfo(e) });
  });
};
