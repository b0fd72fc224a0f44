/** Queue slice: the videos the user dropped, their metadata, and their extraction state and results. */
import type { StateCreator } from 'zustand';
import type { VideoMeta } from '../decode/probe';
import { AppError, describeError, toErrorInfo, type ErrorInfo } from '../errors';
import { bridge } from '../bridge/pipeline';
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
  /**
   * Queues videos and probes each. `skipped`: how many other files came with them (a dropped folder's documents,
   * images …); with any, `intakeReport` says how many were added and skipped until dismissed.
   */
  addFiles(files: Iterable<File>, options?: { skipped?: number }): void;
  /** The last intake that left files out: the videos it added and the files it skipped. */
  intakeReport: { added: number; skipped: number } | null;
  dismissIntakeReport(): void;
  removeItem(id: string): void;
  updateItem(id: string, patch: Partial<QueueItem>): void;
  /** Extracts every ready (or failed, when retrying) video, one after the other. */
  runQueue(): Promise<void>;
  cancelRun(): void;
  /** Saves one file of a finished video to the user's disk. */
  downloadResult(id: string, file: string): Promise<void>;
  /** Every finished video in one zip; its progress or error in `bundleStatus`. */
  downloadAll(): Promise<void>;
  bundleStatus: { busy: boolean; error?: string };
}

/** The name a video's result files get when saved: "<video stem>_<file>". */
export function savedName(videoName: string, file: string): string {
  const stem = videoName.replace(/\.[^.]+$/, '');
  return `${stem}_${file}`;
}

let counter = 0;
let controller: AbortController | null = null;

const uid = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`).replace(/-/g, '').slice(0, 16);

export const createQueueSlice: StateCreator<AppState, [], [], QueueSlice> = (set, get) => ({
  queue: [],
  running: false,
  bundleStatus: { busy: false },
  intakeReport: null,
  dismissIntakeReport() {
    set({ intakeReport: null });
  },
  addFiles(files, { skipped = 0 } = {}) {
    const items: QueueItem[] = [...files].map((file) => ({
      id: `v${++counter}`,
      file,
      name: file.name,
      bytes: file.size,
      status: 'probing',
    }));
    set((s) => ({ queue: [...s.queue, ...items], intakeReport: skipped > 0 ? { added: items.length, skipped } : null }));
    for (const item of items) {
      bridge()
        .probe(item.file)
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
    if (item.resultId)
      void bridge()
        .removeResult(item.resultId)
        .catch(() => undefined);
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
          const summary = await bridge().extract(
            { id: resultId, file: item.file, probe: item.meta, settings },
            {
              onProgress: (progress: VideoProgress) => get().updateItem(item.id, { progress }),
              onPreview: (jpeg: Blob) => {
                const old = get().queue.find((q) => q.id === item.id)?.flowPreview;
                if (old) URL.revokeObjectURL(old);
                get().updateItem(item.id, { flowPreview: URL.createObjectURL(jpeg) });
              },
            },
            signal,
          );
          get().updateItem(item.id, { status: 'done', summary });
        } catch (e) {
          // one failed video never stops the queue (a cancel does)
          get().updateItem(item.id, { status: 'error', error: toErrorInfo(e) });
          void bridge()
            .removeResult(resultId)
            .catch(() => undefined);
        }
      }
    } finally {
      set((s) => ({ running: false, queue: s.queue.map((q) => (q.status === 'queued' ? { ...q, status: 'ready' } : q)) }));
      controller = null;
      // the loaded models are kept while the queue runs, not after
      void bridge()
        .releaseModels()
        .catch(() => undefined);
    }
  },
  cancelRun() {
    controller?.abort();
  },
  async downloadResult(id, file) {
    const item = get().queue.find((q) => q.id === id);
    if (!item?.resultId) return;
    await bridge().download([item.resultId, file], savedName(item.name, file));
  },
  async downloadAll() {
    const done = get().queue.filter((q) => q.status === 'done' && q.resultId);
    set({ bundleStatus: { busy: true } });
    try {
      await bridge().bundle(
        'all.zip',
        done.map((q) => ({ id: q.resultId as string, name: q.name })),
      );
      await bridge().download(['all.zip'], 'i3d-features.zip');
      set({ bundleStatus: { busy: false } });
    } catch (e) {
      set({ bundleStatus: { busy: false, error: describeError(e) } });
    }
  },
});
