/// <reference lib="webworker" />
/** Thin decode worker: one request per worker lifetime; the client terminates it to cancel. */
import { AppError, toErrorInfo } from '../errors';
import { wasmMemoryExhausted, type FaultKind } from '../faults';
import { decode, loadCore, probe, type LoadedCore } from '../decode/core';
import { browserDecodes, browserUnsupportedDetail, decodeInBrowser } from '../decode/webcodecs';
import { holdLifeLock } from '../platform/liveness';
import type { DecodeRequest, DecodeResponse, FrameBatch } from '../decode/protocol';
import type { RgbFrame } from '../decode/ppm-stream';
import type { DecodeEnd, DecodeOptions } from '../decode/frames';
import type { VideoMeta } from '../decode/probe';

const alive = holdLifeLock();

const EMPTY = new Uint8Array(0);
const post = (msg: DecodeResponse, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

/** ffmpeg.wasm's decode, or the browser's for a codec only the browser decodes (../decode/webcodecs.ts). */
async function decodeAny(core: LoadedCore, file: File, opts: DecodeOptions, onFrame: (f: RgbFrame) => void, meta?: VideoMeta): Promise<DecodeEnd> {
  if (meta?.decoder === 'browser') return decodeInBrowser(core, file, meta, opts, onFrame);
  try {
    return decode(core, file, opts, onFrame);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'E_UNSUPPORTED_CODEC') throw e;
    const meta = probe(core, file);
    if (meta.decoder !== 'browser') throw e;
    return decodeInBrowser(core, file, meta, opts, onFrame);
  }
}

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
    if (meta.decoder === 'browser' && !(await browserDecodes(meta))) throw new AppError('E_UNSUPPORTED_CODEC', browserUnsupportedDetail(meta));
    let thumbnail: RgbFrame | undefined;
    if (req.thumbnail) {
      await decodeAny(
        core,
        req.file,
        { maxFrames: 1 },
        (f) => {
          thumbnail = f;
        },
        meta,
      );
    }
    post({ type: 'probe', meta, thumbnail }, thumbnail ? [thumbnail.data.buffer] : []);
    return;
  }
  const control = req.control ? new Int32Array(req.control) : null;
  const started = performance.now();
  let waitedMs = 0;
  let pending: FrameBatch | null = null;
  const flush = () => {
    if (!pending) return;
    post({ type: 'batch', batch: pending }, req.countOnly ? [] : pending.frames.map((f) => f.buffer));
    pending = null;
    if (!control) return;
    Atomics.add(control, 0, 1);
    // back-pressure: wait while the consumer holds too many batches
    const t = performance.now();
    for (let n = Atomics.load(control, 0); n >= req.maxInFlight; n = Atomics.load(control, 0)) {
      Atomics.wait(control, 0, n, 1000);
    }
    waitedMs += performance.now() - t;
  };
  let index = 0;
  const end = await decodeAny(core, req.file, req.options, (f) => {
    if (__TEST_HOOKS__ && req.faultForTest && index === req.faultForTest.afterFrames) testFault(req.faultForTest.kind);
    if (pending && (pending.width !== f.width || pending.height !== f.height)) flush();
    pending ??= { start: index, width: f.width, height: f.height, frames: [] };
    pending.frames.push(req.countOnly ? EMPTY : f.data);
    index++;
    if (pending.frames.length >= req.batchFrames) flush();
  });
  flush();
  post({ type: 'end', frameCount: end.frameCount, warnings: end.warnings, busyMs: performance.now() - started - waitedMs });
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
