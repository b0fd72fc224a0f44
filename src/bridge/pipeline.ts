/**
 * The one bridge between the UI and the pipeline worker, and the only place that calls comlink.wrap.
 *
 * - The worker starts lazily on the first call.
 * - `call(fn, signal)`: an aborted signal rejects the call at once with E_CANCELLED and asks the worker to
 *   abort that job.
 * - A worker that crashes (an uncaught error) rejects every pending call with E_WORKER_CRASH, is terminated and
 *   is started afresh on the next call; `onCrash` listeners are told.
 */
import { wrap, releaseProxy, type Remote } from 'comlink';
import { AppError } from '../errors';
import './comlink-errors';
import type { PipelineApi } from '../worker/pipeline.api';

type Pending = (err: AppError) => void;

export class PipelineBridge {
  private worker: Worker | null = null;
  private api: Remote<PipelineApi> | null = null;
  private readonly pending = new Set<Pending>();
  private readonly crashListeners = new Set<(detail: string) => void>();
  private nextJob = 1;
  /** How many times the worker was restarted after a crash. */
  restarts = 0;

  constructor(private readonly spawn: () => Worker) {}

  onCrash(listener: (detail: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  private ensure(): Remote<PipelineApi> {
    if (this.api) return this.api;
    const worker = this.spawn();
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.crash(ev.message || 'uncaught error');
    });
    worker.addEventListener('messageerror', () => this.crash('a message could not be read'));
    this.worker = worker;
    this.api = wrap<PipelineApi>(worker);
    return this.api;
  }

  private crash(detail: string): void {
    const worker = this.worker;
    if (!worker) return;
    this.api?.[releaseProxy]();
    worker.terminate();
    this.worker = null;
    this.api = null;
    this.restarts++;
    const err = new AppError('E_WORKER_CRASH', detail);
    for (const reject of [...this.pending]) reject(err);
    this.pending.clear();
    for (const l of this.crashListeners) l(detail);
  }

  /** Runs `fn` against the worker API with a fresh job id. */
  call<T>(fn: (api: Remote<PipelineApi>, jobId: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AppError('E_CANCELLED'));
    const api = this.ensure();
    const jobId = this.nextJob++;
    return new Promise<T>((resolve, reject) => {
      const fail: Pending = (err) => {
        cleanup();
        reject(err);
      };
      const onAbort = () => {
        void api.abort(jobId).catch(() => undefined);
        fail(new AppError('E_CANCELLED'));
      };
      const cleanup = () => {
        this.pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.add(fail);
      signal?.addEventListener('abort', onAbort);
      fn(api, jobId).then(
        (v) => {
          cleanup();
          resolve(v);
        },
        (e: unknown) => {
          cleanup();
          reject(e);
        },
      );
    });
  }

  /** Stops the worker (pending calls fail with E_CANCELLED). */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.api = null;
    const err = new AppError('E_CANCELLED');
    for (const reject of [...this.pending]) reject(err);
    this.pending.clear();
  }
}

let shared: PipelineBridge | null = null;

/** The app's bridge to its pipeline worker. */
export function pipeline(): PipelineBridge {
  shared ??= new PipelineBridge(
    () => new Worker(new URL('../worker/pipeline.worker.ts', import.meta.url), { type: 'module', name: 'pipeline' }),
  );
  return shared;
}
