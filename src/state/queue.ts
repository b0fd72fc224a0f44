/** Queue slice: the videos the user dropped, their metadata, and their extraction state and results. */
import type { StateCreator } from 'zustand';
import { proxy } from 'comlink';
import type { VideoMeta } from '../decode/probe';
import { AppError, toErrorInfo, type ErrorInfo } from '../errors';
import { pipeline } from '../bridge/pipeline';
import type { VideoProgress, VideoSummary } from '../pipeline/video';
import type { AppState } from './store';

export type QueueStatus = 'probing' | 'ready' | 'queued' | 'running' | 'done' | 'error';

export interface QueueItem {
  id: string;
  file: File;
  name: string;
  bytes: number;
  status: QueueStatus;
  meta?: VideoMeta;
  /** Object URL of the first frame. */
  thumbnail?: string;
  /** Object URL of the latest flow preview (colour wheel). */
  flowPreview?: string;
  error?: ErrorInfo;
  progress?: VideoProgress;
  /** Results folder (OPFS results/<resultId>) and what is in it. */
  resultId?: string;
  summary?: VideoSummary;
}

export interface QueueSlice {
  queue: QueueItem[];
  running: boolean;
  addFiles(files: Iterable<File>): void;
  removeItem(id: string): void;
  updateItem(id: string, patch: Partial<QueueItem>): void;
  /** Extracts every ready (or failed, when retrying) video, one after the other. */
  runQueue(): Promise<void>;
  cancelRun(): void;
}

let counter = 0;
let controller: AbortController | null = null;

const uid = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`).replace(/-/g, '').slice(0, 16);

export const createQueueSlice: StateCreator<AppState, [], [], QueueSlice> = (set, get) => ({
  queue: [],
  running: false,
  addFiles(files) {
    const items: QueueItem[] = [...files].map((file) => ({
      id: `v${++counter}`,
      file,
      name: file.name,
      bytes: file.size,
      status: 'probing',
    }));
    set((s) => ({ queue: [...s.queue, ...items] }));
    for (const item of items) {
      pipeline()
        .call((api) => api.probe(item.file))
        .then(
          ({ meta, thumbnail }) =>
            get().updateItem(item.id, {
              status: get().running ? 'queued' : 'ready',
              meta,
              thumbnail: thumbnail ? URL.createObjectURL(thumbnail) : undefined,
            }),
          (e: unknown) => get().updateItem(item.id, { status: 'error', error: toErrorInfo(e) }),
        );
    }
  },
  removeItem(id) {
    const item = get().queue.find((q) => q.id === id);
    if (!item || item.status === 'running') return;
    if (item.thumbnail) URL.revokeObjectURL(item.thumbnail);
    if (item.flowPreview) URL.revokeObjectURL(item.flowPreview);
    if (item.resultId) void pipeline().call((api) => api.removeResult(item.resultId as string)).catch(() => undefined);
    set((s) => ({ queue: s.queue.filter((q) => q.id !== id) }));
  },
  updateItem(id, patch) {
    set((s) => ({ queue: s.queue.map((q) => (q.id === id ? { ...q, ...patch } : q)) }));
  },
  async runQueue() {
    if (get().running) return;
    controller = new AbortController();
    const signal = controller.signal;
    set((s) => ({ running: true, queue: s.queue.map((q) => (q.status === 'ready' ? { ...q, status: 'queued' } : q)) }));
    try {
      for (;;) {
        const item = get().queue.find((q) => q.status === 'queued');
        if (!item || signal.aborted) break;
        const { settings } = get();
        const resultId = uid();
        get().updateItem(item.id, { status: 'running', error: undefined, progress: undefined, resultId, summary: undefined });
        try {
          if (!item.meta) throw new AppError('E_INTERNAL', 'the video was not probed');
          const missing = settings.streams.filter((s) => !settings.models[s]);
          if (missing.length > 0) throw new AppError('E_MODEL_MISSING', `import a ${missing.join(' and ')} checkpoint first`);
          const summary = await pipeline().call(
            (api, jobId) =>
              api.extract(
                jobId,
                { id: resultId, file: item.file, probe: item.meta as VideoMeta, settings },
                proxy((progress: VideoProgress) => get().updateItem(item.id, { progress })),
                proxy((jpeg: Blob) => {
                  const old = get().queue.find((q) => q.id === item.id)?.flowPreview;
                  if (old) URL.revokeObjectURL(old);
                  get().updateItem(item.id, { flowPreview: URL.createObjectURL(jpeg) });
                }),
              ),
            signal,
          );
          get().updateItem(item.id, { status: 'done', summary });
        } catch (e) {
          // one failed video never stops the queue (a cancel does)
          get().updateItem(item.id, { status: 'error', error: toErrorInfo(e) });
          void pipeline().call((api) => api.removeResult(resultId)).catch(() => undefined);
        }
      }
    } finally {
      set((s) => ({ running: false, queue: s.queue.map((q) => (q.status === 'queued' ? { ...q, status: 'ready' } : q)) }));
      controller = null;
    }
  },
  cancelRun() {
    controller?.abort();
  },
});
