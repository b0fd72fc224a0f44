/**
 * The one bridge between the page and the pipeline worker, and the only place that calls comlink.wrap. Callers
 * (the store, the headless entry) see a typed façade of plain functions: callbacks instead of comlink proxies,
 * an AbortSignal instead of job ids.
 *
 * - The worker starts lazily on the first call.
 * - An aborted signal rejects the call at once with E_CANCELLED and asks the worker to abort that job.
 * - A worker that crashes (an uncaught error) rejects every pending call with E_WORKER_CRASH, is terminated and
 *   is started afresh on the next call; `onCrash` listeners are told.
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { AppError, type ErrorCode } from '../errors';
import type { FaultForTest, QuotaForTest } from '../faults';
import type { ConfirmDownload, DownloadProgress, ImportStage, ImportStageListener, ModelRecord } from '../io/model-record';
import { downloadFromOpfs, opfsFile } from '../io/download';
import type { ModelDtype } from '../model/types';
import type { CapabilityReport } from '../platform/policy';
import type { VideoProgress, VideoSummary } from '../pipeline/video';
import '../worker/transfer-errors';
import { isLifeMessage, watchLife, workerName } from '../worker/liveness';
import type { VideoMetaJson } from '../pipeline/meta';
import type { ExtractRequest, ModelSource, PipelineApi, ProbeInfo, ResultFolder, ResultInfo } from '../worker/pipeline.api';

export type { ExtractRequest, ExtractSettings, ModelSource, ProbeInfo, ResultFolder, ResultInfo } from '../worker/pipeline.api';

/** The browser's storage for this app: bytes used and granted, and whether it is kept under storage pressure. */
export interface StorageStatus {
  usage: number | null;
  quota: number | null;
  /** navigator.storage.persisted(); null where the browser does not say. */
  persisted: boolean | null;
}

type Pending = (err: AppError) => void;

export interface ExtractHandlers {
  onProgress?: (p: VideoProgress) => void;
  /** A colour-wheel JPEG of the flow now and then. */
  onPreview?: (jpeg: Blob) => void;
}

/** Whole-results folders live under results/ in the browser's private storage. */
const RESULTS = 'results';

export class PipelineBridge {
  private worker: Worker | null = null;
  private api: Remote<PipelineApi> | null = null;
  private readonly pending = new Set<Pending>();
  private readonly crashListeners = new Set<(detail: string) => void>();
  private nextJob = 1;
  /** Stops watching the worker's lock (../platform/liveness.ts). */
  private stopWatching: () => void = () => undefined;
  /** How many times the worker was restarted after a crash. */
  restarts = 0;

  constructor(private readonly spawn: () => Worker) {}

  onCrash(listener: (detail: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  // ---- the façade -------------------------------------------------------------------------------------------

  /** A video's metadata and first frame. */
  probe(file: File, signal?: AbortSignal): Promise<ProbeInfo> {
    return this.call((api) => api.probe(file), signal);
  }

  /**
   * Runs one video; its results land in results/<request.id>/. `pause`: once aborted, the run stops at its next
   * point between chunks with E_PAUSED (a request with `resume` goes on from there).
   */
  extract(request: ExtractRequest, handlers: ExtractHandlers = {}, signal?: AbortSignal, pause?: AbortSignal): Promise<VideoSummary> {
    const { onProgress, onPreview } = handlers;
    if (__TEST_HOOKS__ && nextFault) {
      request = { ...request, faultForTest: nextFault };
      nextFault = null;
    }
    if (__TEST_HOOKS__ && nextQuota) {
      request = { ...request, quotaForTest: nextQuota };
      nextQuota = null;
    }
    return this.call((api, job) => {
      pause?.addEventListener('abort', () => void api.pause(job).catch(() => undefined), { once: true });
      return api.extract(
        job,
        request,
        proxy((p: VideoProgress) => onProgress?.(p)),
        onPreview ? proxy(onPreview) : undefined,
      );
    }, signal);
  }

  /**
   * Checks, converts and stores a checkpoint (from a file or a URL). A URL is downloaded first (`connecting`, then
   * `downloading` with progress); `confirm` is asked with its host and size once the response headers are in, before
   * the body is read (false cancels with E_CANCELLED; absent: the user confirmed already).
   */
  importModel(source: ModelSource, dtype: ModelDtype, onStage?: ImportStageListener, signal?: AbortSignal, confirm?: ConfirmDownload): Promise<ModelRecord> {
    return this.call(
      (api, job) =>
        api.importModel(
          job,
          source,
          dtype,
          proxy((s: ImportStage, p?: DownloadProgress) => onStage?.(s, p)),
          confirm ? proxy(confirm) : undefined,
        ),
      signal,
    );
  }

  listModels(): Promise<ModelRecord[]> {
    return this.call((api) => api.listModels());
  }

  removeModel(id: string): Promise<void> {
    return this.call((api) => api.removeModel(id));
  }

  removeResult(id: string): Promise<void> {
    return this.call((api) => api.removeResult(id));
  }

  /** Everything under results/ in storage: each folder's size and the video it came from. */
  listResults(): Promise<ResultInfo[]> {
    return this.call((api) => api.listResults());
  }

  /** A JPEG of the frame a finished video's timeline shows at `seconds` (`video`: its meta.json fps and rate). */
  frameAt(file: File, seconds: number, video: Pick<VideoMetaJson['video'], 'fps' | 'rate'>, signal?: AbortSignal): Promise<Blob> {
    return this.call((api) => api.frameAt(file, seconds, video), signal);
  }

  /** Storage used and granted, and whether it is persistent (asked on this page: persist() is not in workers). */
  async storageStatus(): Promise<StorageStatus> {
    const storage = globalThis.navigator?.storage;
    const [estimate, persisted] = await Promise.all([storage?.estimate?.().catch(() => null) ?? null, storage?.persisted?.().catch(() => null) ?? null]);
    return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted };
  }

  /** Asks the browser to keep this app's storage under pressure (navigator.storage.persist()); its answer. */
  async requestPersistence(): Promise<boolean> {
    const storage = globalThis.navigator?.storage;
    if (!storage?.persist) return false;
    return storage.persist();
  }

  /** Frees the models the worker keeps loaded between videos. */
  releaseModels(): Promise<void> {
    return this.call((api) => api.releaseModels());
  }

  capabilities(): Promise<CapabilityReport> {
    return this.call((api) => api.capabilities());
  }

  /** Builds results/<zipName> with one folder per video (its .npy and .json files); returns its size. */
  bundle(zipName: string, folders: ResultFolder[], signal?: AbortSignal): Promise<number> {
    return this.call((api, job) => api.bundle(job, zipName, folders), signal);
  }

  /** Saves a results file (`[resultId, file]`, or a bundle's name) to the user's disk as `saveAs`. */
  download(path: readonly string[], saveAs: string): Promise<void> {
    return downloadFromOpfs([RESULTS, ...path], saveAs);
  }

  /** A results file (`[resultId, file]`) as a disk-backed File, read where it lies. */
  resultFile(path: readonly string[]): Promise<File> {
    return opfsFile([RESULTS, ...path]);
  }

  // ---- comlink, job ids, abort, crashes -------------------------------------------------------------------

  private ensure(): Remote<PipelineApi> {
    if (this.api) return this.api;
    const worker = this.spawn();
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.crash(`pipeline worker: ${ev.message || 'uncaught error'}`);
    });
    worker.addEventListener('messageerror', () => this.crash('pipeline worker: a message could not be read'));
    // a worker that ends without an error (closed, or stopped by the browser) never answers: its lock says it ended
    worker.addEventListener('message', (ev: MessageEvent<unknown>) => {
      if (isLifeMessage(ev.data)) this.stopWatching = watchLife(ev.data, () => this.crash('pipeline worker: it stopped without an answer'));
    });
    this.worker = worker;
    this.api = wrap<PipelineApi>(worker);
    return this.api;
  }

  private crash(detail: string): void {
    const worker = this.worker;
    if (!worker) return;
    this.stopWatching();
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
  private call<T>(fn: (api: Remote<PipelineApi>, jobId: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
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
    this.stopWatching();
    this.worker?.terminate();
    this.worker = null;
    this.api = null;
    const err = new AppError('E_CANCELLED');
    for (const reject of [...this.pending]) reject(err);
    this.pending.clear();
  }
}

let nextFault: FaultForTest | null = null;
let nextQuota: QuotaForTest | null = null;

/**
 * Test builds only (undefined in the product): make the worker throw from its global scope, as a crash would;
 * make a worker of the next extraction fail, or its writes meet a full disk (../faults.ts); make the next extraction fail once with a typed error
 * at its model pass number `passes` (0: the first).
 */
export const bridgeTestHooks = __TEST_HOOKS__
  ? {
      faultForTest: (fault: FaultForTest): void => {
        nextFault = fault;
      },
      quotaForTest: (quota: QuotaForTest): void => {
        nextQuota = quota;
      },
      failNextExtract: (b: PipelineBridge, code: ErrorCode, passes = 0): Promise<void> =>
        b['call']((api) => (api.failNextExtractForTest as unknown as (code: ErrorCode, passes: number) => Promise<void>)(code, passes)),
      crash: (b: PipelineBridge): Promise<never> =>
        b['call'](
          (api) =>
            new Promise<never>((_resolve, reject) => {
              // a comlink proxy: calling a method the worker lacks rejects
              void (api.crashForTest as unknown as () => Promise<void>)().catch(reject);
            }),
        ),
    }
  : undefined;

let shared: PipelineBridge | null = null;

/** The page's bridge to its pipeline worker. */
export function bridge(): PipelineBridge {
  shared ??= new PipelineBridge(() => new Worker(new URL('../worker/pipeline.worker.ts', import.meta.url), { type: 'module', name: workerName('pipeline') }));
  return shared;
}
