/**
 * The decode client: spawns one decode worker per request (so cancelling is terminating), shares one compiled
 * ffmpeg.wasm module between them, and turns the worker's frame batches into an async iterator with
 * back-pressure (the worker blocks while the consumer holds `maxInFlight` unacknowledged batches).
 */
import wasmUrl from '@ffmpeg/core/wasm?url';
import { AppError, type ErrorInfo } from '../errors';
import { isLifeMessage, watchLife, workerName } from '../platform/liveness';
import { createLimiter } from './limit';
import type { DecodeRequest, DecodeResponse, DecodeStreamOptions, FrameBatch } from './protocol';
import type { VideoMeta } from './probe';

let compiled: Promise<WebAssembly.Module> | null = null;

function ffmpegWasm(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compileStreaming(fetch(wasmUrl)).catch((e: unknown) => {
    compiled = null;
    throw e;
  });
  return compiled;
}

/**
 * A decode worker whose end is reported as E_WORKER_CRASH naming it: an uncaught error (a wasm trap), or an end
 * without any error (it closed, or the browser stopped it: ./liveness.ts). `stop` before terminating it.
 */
function spawn(onMessage: (msg: DecodeResponse) => void, onCrash: (err: AppError) => void): { worker: Worker; stop(): void } {
  const worker = new Worker(new URL('../worker/decode.worker.ts', import.meta.url), { type: 'module', name: workerName('decode') });
  let stopWatching = () => undefined as void;
  let stopped = false;
  const crash = (why: string) => {
    if (!stopped) onCrash(new AppError('E_WORKER_CRASH', `decode worker: ${why}`));
  };
  worker.onmessage = (ev: MessageEvent<unknown>) => {
    if (isLifeMessage(ev.data)) stopWatching = watchLife(ev.data, () => crash('it stopped without an answer'));
    else onMessage(ev.data as DecodeResponse);
  };
  worker.onerror = (ev) => {
    // handled here: not reported again in the scope that started the worker (the pipeline worker)
    ev.preventDefault();
    crash(ev.message || 'uncaught error');
  };
  worker.onmessageerror = () => crash('a message could not be read');
  return {
    worker,
    stop() {
      stopped = true;
      stopWatching();
      worker.terminate();
    },
  };
}

function fromInfo(info: ErrorInfo): AppError {
  return new AppError(info.code, info.detail);
}

export interface ProbeResult {
  meta: VideoMeta;
  thumbnail?: { width: number; height: number; data: Uint8Array };
}

/** Most probes (each its own ffmpeg worker, ~100 MB) at once: dropping 500 files starts 2 workers, not 500. */
export const MAX_PROBE_WORKERS = 2;
const probeSlots = createLimiter(MAX_PROBE_WORKERS);

/** Metadata (and optionally the first decoded frame) of a video file. */
export function probeVideo(file: File, thumbnail = true): Promise<ProbeResult> {
  return probeSlots(() => probeInWorker(file, thumbnail));
}

async function probeInWorker(file: File, thumbnail: boolean): Promise<ProbeResult> {
  const wasm = await ffmpegWasm();
  let resolve: (r: ProbeResult) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const result = new Promise<ProbeResult>((res, rej) => ([resolve, reject] = [res, rej]));
  const decoder = spawn((msg) => {
    if (msg.type === 'probe') resolve({ meta: msg.meta, thumbnail: msg.thumbnail });
    else if (msg.type === 'error') reject(fromInfo(msg.error));
  }, reject);
  try {
    const req: DecodeRequest = { type: 'probe', wasm, file, thumbnail };
    decoder.worker.postMessage(req);
    return await result;
  } finally {
    decoder.stop();
  }
}

export type { DecodeStreamOptions };

/**
 * Decoded frames in order, batch by batch. Breaking out of the loop (or aborting) terminates the decoder.
 * Each batch's buffers are owned by the consumer.
 */
export async function* decodeVideo(file: File, opts: DecodeStreamOptions = {}): AsyncGenerator<FrameBatch, number> {
  const wasm = await ffmpegWasm();
  const control = globalThis.crossOriginIsolated ? new SharedArrayBuffer(8) : undefined;
  const counter = control ? new Int32Array(control) : null;
  const queue: DecodeResponse[] = [];
  let wake: (() => void) | null = null;
  const push = (msg: DecodeResponse) => {
    queue.push(msg);
    wake?.();
  };
  const decoder = spawn(push, (err) => push({ type: 'error', error: { code: err.code, message: '', detail: err.detail } }));
  const onAbort = () => push({ type: 'error', error: { code: 'E_CANCELLED', message: '', detail: '' } });
  opts.signal?.addEventListener('abort', onAbort);
  const req: DecodeRequest = {
    type: 'decode',
    wasm,
    file,
    options: { fps: opts.fps, maxFrames: opts.maxFrames },
    batchFrames: opts.countOnly ? 256 : (opts.batchFrames ?? 16),
    countOnly: opts.countOnly,
    control,
    maxInFlight: opts.maxInFlight ?? 4,
    ...(__TEST_HOOKS__ && opts.faultForTest ? { faultForTest: opts.faultForTest } : {}),
  };
  decoder.worker.postMessage(req);
  try {
    if (opts.signal?.aborted) onAbort();
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      wake = null;
      const msg = queue.shift() as DecodeResponse;
      if (msg.type === 'batch') {
        if (counter) {
          Atomics.sub(counter, 0, 1);
          Atomics.notify(counter, 0);
        }
        yield msg.batch;
      } else if (msg.type === 'end') {
        opts.onEnd?.({ frameCount: msg.frameCount, warnings: msg.warnings, busySeconds: msg.busyMs / 1000 });
        return msg.frameCount;
      } else if (msg.type === 'error') {
        throw fromInfo(msg.error);
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    decoder.stop();
  }
}
