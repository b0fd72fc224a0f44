/**
 * A pool of N flow workers computing frame pairs in parallel (TV-L1 is per pair, so pairs are the natural unit).
 * Plain postMessage with transferred buffers; usable from the main thread or from another worker (e.g. the
 * pipeline worker). The worker API is abstracted by `FlowWorkerPort` so the same pool runs on Node
 * worker_threads (benchmarks, CLI, tests: ./pool-node.ts) and browser Workers.
 *
 * The kernels: the pool's owner compiles the WebAssembly kernel module once (`init`, possibly a promise) and the
 * pool sends it to every worker it starts, before that worker's first pair.
 */
import { threadCount } from '../platform/policy';
import { AppError, type ErrorInfo } from '../errors';
import type { FaultKind } from '../faults';
import { isLifeMessage, watchLife, workerName } from '../platform/liveness';
import type { TVL1Params, TVL1Stats } from './cpu';
import type { FlowKernels, FlowMessage, FlowRequest, FlowResponse, FlowWorkerInit } from './protocol';

/** The minimum a pool needs from a worker. */
export interface FlowWorkerPort {
  send(message: FlowMessage, transfer: ArrayBuffer[]): void;
  /** Register the two callbacks (called once per port). */
  listen(onMessage: (message: FlowResponse) => void, onError: (error: unknown) => void): void;
  terminate(): void;
}

export interface FlowPairResult {
  /** H×W×2 float32, channels (x, y). */
  flow: Float32Array;
  width: number;
  height: number;
  stats: TVL1Stats;
  /** Compute time inside the worker, ms. */
  ms: number;
  /** The kernels that computed it (WebAssembly SIMD or TypeScript; both give the same flow). */
  kernels: 'wasm' | 'ts';
}

export interface FlowPoolOptions {
  /** Sent to every worker before its first pair; a promise delays the pairs until it settles. */
  init?: FlowWorkerInit | Promise<FlowWorkerInit>;
}

interface Job {
  request: FlowRequest;
  resolve: (r: FlowPairResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  port: FlowWorkerPort | null;
  job: Job | null;
}

function toAppError(info: ErrorInfo): AppError {
  return new AppError(info.code, info.detail);
}

export class FlowPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private init: FlowWorkerInit | null = null;
  private initReady: Promise<void> | null = null;

  constructor(
    private readonly createPort: () => FlowWorkerPort,
    readonly size: number,
    options: FlowPoolOptions = {},
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`FlowPool: size must be a positive integer, got ${size}`);
    this.slots = Array.from({ length: size }, () => ({ port: null, job: null }));
    const init = options.init;
    if (init instanceof Promise) {
      this.initReady = init.then(
        (m) => {
          this.init = m;
          this.initReady = null;
        },
        (e: unknown) => {
          this.init = { type: 'init', kernels: 'auto', wasm: null, reason: e instanceof Error ? e.message : String(e) };
          this.initReady = null;
        },
      );
    } else if (init) {
      this.init = init;
    }
  }

  /**
   * Flow from frame0 to frame1 (grey uint8, width·height bytes each). The frames are copied, not taken.
   * `fault`: test builds only, the worker that takes this pair fails this way.
   */
  computePair(frame0: Uint8Array, frame1: Uint8Array, width: number, height: number, params?: Partial<TVL1Params>, fault?: FaultKind): Promise<FlowPairResult> {
    if (this.closed) return Promise.reject(new AppError('E_CANCELLED', 'flow pool closed'));
    const request: FlowRequest = {
      id: this.nextId++,
      width,
      height,
      frame0: frame0.slice().buffer,
      frame1: frame1.slice().buffer,
      params,
      ...(__TEST_HOOKS__ && fault ? { faultForTest: fault } : {}),
    };
    return new Promise((resolve, reject) => {
      const enqueue = () => {
        if (this.closed) return reject(new AppError('E_CANCELLED', 'flow pool closed'));
        this.queue.push({ request, resolve, reject });
        this.pump();
      };
      if (this.initReady) void this.initReady.then(enqueue);
      else enqueue();
    });
  }

  /** The kernels the workers were told to use (after `init` settled; `ts` without init). */
  async kernels(): Promise<{ kernels: FlowKernels; wasm: boolean; reason?: string }> {
    await this.initReady;
    return { kernels: this.init?.kernels ?? 'ts', wasm: Boolean(this.init?.wasm), reason: this.init?.reason };
  }

  /** Pairs waiting or running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  /** Stop all workers; pending pairs are rejected with E_CANCELLED. */
  terminate(): void {
    this.closed = true;
    for (const slot of this.slots) {
      slot.job?.reject(new AppError('E_CANCELLED'));
      slot.job = null;
      slot.port?.terminate();
      slot.port = null;
    }
    for (const job of this.queue.splice(0)) job.reject(new AppError('E_CANCELLED'));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      if (!slot.port) slot.port = this.spawn(slot);
      slot.port.send(job.request, [job.request.frame0, job.request.frame1]);
    }
  }

  private spawn(slot: Slot): FlowWorkerPort {
    const port = this.createPort();
    if (this.init) port.send(this.init, []);
    port.listen(
      (msg) => {
        const job = slot.job;
        if (!job || job.request.id !== msg.id) return;
        slot.job = null;
        if (msg.ok) {
          job.resolve({
            flow: new Float32Array(msg.flow),
            width: job.request.width,
            height: job.request.height,
            stats: msg.stats,
            ms: msg.ms,
            kernels: msg.kernels,
          });
        } else {
          job.reject(toAppError(msg.error));
        }
        this.pump();
      },
      (error) => {
        // the worker died: fail its pair, start a fresh worker for the next one
        const job = slot.job;
        slot.job = null;
        port.terminate();
        if (slot.port === port) slot.port = null;
        job?.reject(new AppError('E_WORKER_CRASH', error instanceof Error ? error.message : String(error)));
        if (!this.closed) this.pump();
      },
    );
    return port;
  }
}

/**
 * A port over a browser Worker running src/worker/flow.worker.ts. Its end is an error naming it: an uncaught
 * error, or an end without any (it closed, or the browser stopped it: ./liveness.ts).
 */
export function browserFlowPort(worker: Worker): FlowWorkerPort {
  let stopWatching = () => undefined as void;
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
    listen: (onMessage, onError) => {
      worker.addEventListener('message', (ev: MessageEvent<FlowResponse>) => {
        if (isLifeMessage(ev.data)) stopWatching = watchLife(ev.data, () => onError(new Error('flow worker: it stopped without an answer')));
        else onMessage(ev.data);
      });
      worker.addEventListener('error', (ev) => {
        // handled here: not reported again in the scope that started the worker (the pipeline worker)
        ev.preventDefault();
        onError(new Error(`flow worker: ${ev.message || 'uncaught error'}`));
      });
      worker.addEventListener('messageerror', () => onError(new Error('flow worker: a message could not be read')));
    },
    terminate: () => {
      stopWatching();
      worker.terminate();
    },
  };
}

/**
 * The init message for `kernels`: compiles the WebAssembly kernel module unless `ts` (`#flow-wasm`, package.json:
 * fetched in the browser, ./wasm/browser.ts; built when stale and read from disk in Node, ./wasm/node.ts).
 */
export function flowInit(kernels: FlowKernels = 'auto'): Promise<FlowWorkerInit> {
  if (kernels === 'ts') return Promise.resolve({ type: 'init', kernels, wasm: null });
  return import('#flow-wasm')
    .then((m) => m.compileTVL1WasmModule())
    .then(
      (wasm): FlowWorkerInit => ({ type: 'init', kernels, wasm }),
      (e: unknown): FlowWorkerInit => ({ type: 'init', kernels, wasm: null, reason: e instanceof Error ? e.message : String(e) }),
    );
}

/**
 * A pool of browser workers (default size: `threadCount` of the number of logical cores, ../platform/policy.ts) running the WebAssembly SIMD
 * kernels, or the TypeScript ones where WebAssembly SIMD is missing (`kernels: 'ts'` forces them).
 */
export function createBrowserFlowPool(size = threadCount(globalThis.navigator?.hardwareConcurrency), options: { kernels?: FlowKernels } = {}): FlowPool {
  return new FlowPool(
    () => browserFlowPort(new Worker(new URL('../worker/flow.worker.ts', import.meta.url), { type: 'module', name: workerName('flow') })),
    size,
    {
      init: flowInit(options.kernels),
    },
  );
}
