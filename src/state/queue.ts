/**
 * Queue slice: the videos the user dropped, their metadata, and their extraction state and results. The queue
 * is kept in IndexedDB (./saved-queue.ts): after a reload or a crash every finished video is listed again with its
 * downloads, and the video that was running goes on from its last finished chunk (the pipeline keeps that record
 * in the video's results folder), reopening its file from the browser's handle or from the same file dropped again.
 */
import type { StateCreator } from 'zustand';
import type { VideoMeta } from '../decode/probe';
import { AppError, describeError, toErrorInfo, type ErrorInfo } from '../errors';
import { bridge, type ExtractSettings } from '../bridge/pipeline';
import type { VideoProgress, VideoSummary } from '../pipeline/video';
import { DEFAULT_WEIGHTS, videoFraction, weightsFromStages, type StageWeights } from './progress';
import { fileFromHandle, sameFile, savedQueue, type SavedItem } from './saved-queue';
import type { AppState } from './store';

/**
 * probing → ready → queued → running → done | error | cancelled. `missing`: restored after a reload without a
 * readable file (drop the same file again, or allow the app to reopen it).
 */
export type QueueStatus = 'probing' | 'ready' | 'queued' | 'running' | 'done' | 'error' | 'cancelled' | 'missing';

export interface QueueItem {
  id: string;
  /** Absent for a restored video whose file the page cannot read (status `missing`). */
  file?: File;
  name: string;
  bytes: number;
  lastModified: number;
  status: QueueStatus;
  meta?: VideoMeta;
  /** Object URL of the first frame. */
  thumbnail?: string;
  thumbnailBlob?: Blob;
  /** Object URL of the latest flow preview (colour wheel). */
  flowPreview?: string;
  error?: ErrorInfo;
  progress?: VideoProgress;
  /** The whole work's fraction done (decode, flow and features weighted by their cost). */
  fraction?: number;
  /** Where the current run started (fraction and time), for its speed and time left. */
  runStart?: { fraction: number; at: number };
  /** Results folder (OPFS results/<resultId>) and what is in it. */
  resultId?: string;
  /** The next run goes on from the last finished chunk in results/<resultId> (an interrupted run). */
  resume?: boolean;
  /** The settings its run used (a resumed run keeps them). */
  settings?: ExtractSettings;
  summary?: VideoSummary;
  handle?: FileSystemFileHandle;
}

export interface QueueSlice {
  queue: QueueItem[];
  running: boolean;
  /** The queue stops between chunks of the running video; `resumeQueue` goes on. */
  paused: boolean;
  /** Restored from an earlier visit and the queue was running then: it goes on once its files are back. */
  continueAfterRestore: boolean;
  /** Stage weights measured on the last finished video (for the progress of the next). */
  weights: StageWeights;
  /**
   * Queues videos and probes each. `skipped`: how many other files came with them (a dropped folder's documents,
   * images …); with any, `intakeReport` says how many were added and skipped until dismissed. A file that is a
   * restored video waiting for its file (same name, size and date) is given to it instead of being added.
   */
  addFiles(files: Iterable<File>, options?: { skipped?: number }): void;
  /** The last intake that left files out: the videos it added and the files it skipped. */
  intakeReport: { added: number; skipped: number; matched?: number } | null;
  dismissIntakeReport(): void;
  /** Reads the saved queue (at start). */
  restoreQueue(): Promise<void>;
  /** Asks the browser to let the app reopen the saved files (needs a click). */
  reopenFiles(): Promise<void>;
  removeItem(id: string): void;
  updateItem(id: string, patch: Partial<QueueItem>): void;
  /** Extracts every ready video (and resumes interrupted ones), one after the other. */
  runQueue(): Promise<void>;
  /** Cancels the running video and stops the queue. */
  cancelRun(): void;
  /** Cancels one video (running: it stops and the queue goes on; waiting: it is taken out of the run). */
  cancelItem(id: string): void;
  /** Stops the queue between two chunks of the running video; `resumeQueue` goes on from there. */
  pauseQueue(): void;
  resumeQueue(): void;
  /** Puts a failed or cancelled video back in the queue (and runs it). */
  retryItem(id: string): void;
  /** Removes the finished videos (and their results) from the list. */
  clearFinished(): void;
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

/** Browser file handles of intake files (Chromium gives them for picked and dropped files), kept with the queue. */
const handles = new WeakMap<File, FileSystemFileHandle>();
export function rememberHandle(file: File, handle: FileSystemFileHandle): void {
  handles.set(file, handle);
}

let runController: AbortController | null = null;
let videoController: AbortController | null = null;
let pauseController: AbortController | null = null;

const uid = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`).replace(/-/g, '').slice(0, 16);

/** The statuses kept as they are across a reload (a running or waiting video waits again). */
function savedStatus(s: QueueStatus): SavedItem['status'] | null {
  if (s === 'probing' || s === 'missing') return null;
  return s;
}

function toSaved(item: QueueItem, position: number, previous?: SavedItem): SavedItem {
  return {
    id: item.id,
    order: position,
    name: item.name,
    bytes: item.bytes,
    lastModified: item.lastModified,
    status: savedStatus(item.status) ?? previous?.status ?? 'ready',
    meta: item.meta,
    thumbnail: item.thumbnailBlob,
    handle: item.handle,
    resultId: item.resultId,
    settings: item.settings,
    summary: item.summary,
    error: item.error,
  };
}

const RUNNABLE: QueueStatus[] = ['ready', 'queued'];

export const createQueueSlice: StateCreator<AppState, [], [], QueueSlice> = (set, get) => {
  const persist = (id: string) => {
    const q = get().queue;
    const i = q.findIndex((x) => x.id === id);
    if (i < 0) return;
    const item = q[i];
    if (item.status === 'probing' || item.status === 'missing') return; // nothing new to keep
    void savedQueue.save(toSaved(item, i));
  };
  /** Changes an item and keeps the change (state changes only: progress is not saved). */
  const change = (id: string, patch: Partial<QueueItem>) => {
    get().updateItem(id, patch);
    persist(id);
  };
  const probe = (item: QueueItem) => {
    if (!item.file) return;
    bridge()
      .probe(item.file)
      .then(
        ({ meta, thumbnail }) =>
          change(item.id, {
            status: get().running ? 'queued' : 'ready',
            meta,
            thumbnailBlob: thumbnail,
            thumbnail: thumbnail ? URL.createObjectURL(thumbnail) : undefined,
          }),
        (e: unknown) => change(item.id, { status: 'error', error: toErrorInfo(e) }),
      );
  };
  /** A restored video got its file back: it can run again (a run in progress goes on from its last chunk). */
  const attach = (item: QueueItem, file: File) => {
    const status: QueueStatus = item.meta ? (get().running ? 'queued' : 'ready') : 'probing';
    get().updateItem(item.id, { file, status });
    if (!item.meta) probe({ ...item, file });
  };
  const maybeContinue = () => {
    const s = get();
    if (!s.continueAfterRestore || s.running || s.paused) return;
    // go on only once the video that was running (the first unfinished one) has its file again
    const first = s.queue.find((q) => q.resume || q.status === 'missing' || RUNNABLE.includes(q.status));
    if (!first || first.status === 'missing') return;
    set({ continueAfterRestore: false });
    void get().runQueue();
  };

  return {
    queue: [],
    running: false,
    paused: false,
    continueAfterRestore: false,
    weights: DEFAULT_WEIGHTS,
    bundleStatus: { busy: false },
    intakeReport: null,
    dismissIntakeReport() {
      set({ intakeReport: null });
    },

    addFiles(files, { skipped = 0 } = {}) {
      const added: QueueItem[] = [];
      let matched = 0;
      for (const file of files) {
        const waiting = get().queue.find((q) => q.status === 'missing' && sameFile(file, q));
        if (waiting) {
          matched++;
          attach(waiting, file);
          continue;
        }
        added.push({
          id: `v${uid()}`,
          file,
          name: file.name,
          bytes: file.size,
          lastModified: file.lastModified,
          status: 'probing',
          handle: handles.get(file),
        });
      }
      set((s) => ({
        queue: [...s.queue, ...added],
        intakeReport: skipped > 0 || matched > 0 ? { added: added.length, skipped, matched } : null,
      }));
      for (const item of added) probe(item);
      maybeContinue();
    },

    async restoreQueue() {
      const { items, running } = await savedQueue.load();
      if (items.length === 0) return;
      const restored: QueueItem[] = [];
      for (const saved of items) {
        const unfinished = saved.status === 'running' || saved.status === 'queued' || saved.status === 'ready';
        const file = unfinished ? await fileFromHandle(saved) : null;
        const status: QueueStatus = !unfinished ? saved.status : file ? 'ready' : 'missing';
        restored.push({
          id: saved.id,
          file: file ?? undefined,
          name: saved.name,
          bytes: saved.bytes,
          lastModified: saved.lastModified,
          status,
          meta: saved.meta,
          thumbnailBlob: saved.thumbnail,
          thumbnail: saved.thumbnail ? URL.createObjectURL(saved.thumbnail) : undefined,
          handle: saved.handle,
          resultId: saved.resultId,
          // a run that was going on when the page went away goes on from its last finished chunk
          resume: saved.status === 'running' || undefined,
          settings: saved.status === 'running' ? saved.settings : undefined,
          summary: saved.summary,
          error: saved.error,
        });
      }
      const known = new Set(get().queue.map((q) => q.id));
      set((s) => ({ queue: [...restored.filter((r) => !known.has(r.id)), ...s.queue], continueAfterRestore: running }));
      maybeContinue();
    },

    async reopenFiles() {
      for (const item of get().queue.filter((q) => q.status === 'missing')) {
        const file = await fileFromHandle(toSaved(item, 0), true);
        if (file) attach(item, file);
      }
      maybeContinue();
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
      void savedQueue.remove(id);
    },

    updateItem(id, patch) {
      set((s) => ({ queue: s.queue.map((q) => (q.id === id ? { ...q, ...patch } : q)) }));
    },

    async runQueue() {
      if (get().running) return;
      runController = new AbortController();
      const run = runController.signal;
      set((s) => ({ running: true, paused: false, queue: s.queue.map((q) => (q.status === 'ready' ? { ...q, status: 'queued' } : q)) }));
      void savedQueue.setRunning(true);
      let stoppedBy: 'pause' | 'cancel' | null = null;
      try {
        for (;;) {
          const item = get().queue.find((q) => q.status === 'queued');
          if (!item || run.aborted) break;
          const settings = item.resume && item.settings ? item.settings : get().settings;
          const resultId = item.resume && item.resultId ? item.resultId : uid();
          videoController = new AbortController();
          pauseController = new AbortController();
          const fraction = item.resume ? (item.fraction ?? 0) : 0;
          change(item.id, {
            status: 'running',
            error: undefined,
            progress: undefined,
            fraction,
            runStart: { fraction, at: Date.now() },
            resultId,
            settings,
            summary: undefined,
          });
          try {
            if (!item.meta || !item.file) throw new AppError('E_INTERNAL', 'the video was not probed');
            const missing = settings.streams.filter((s) => !settings.models[s]);
            if (missing.length > 0) throw new AppError('E_MODEL_MISSING', `import a ${missing.join(' and ')} checkpoint first`);
            const { weights } = get();
            const summary = await bridge().extract(
              { id: resultId, file: item.file, probe: item.meta, settings, resume: item.resume },
              {
                onProgress: (progress: VideoProgress) => {
                  const current = get().queue.find((q) => q.id === item.id);
                  let start = current?.runStart;
                  // a resumed run reports where it restarted: its rate counts from there
                  if (progress.stage === 'extract' && progress.resumedFrom && start && start.fraction === 0 && !current?.progress)
                    start = { fraction: videoFraction(progress, weights), at: Date.now() };
                  get().updateItem(item.id, { progress, fraction: Math.max(current?.fraction ?? 0, videoFraction(progress, weights)), runStart: start });
                },
                onPreview: (jpeg: Blob) => {
                  const old = get().queue.find((q) => q.id === item.id)?.flowPreview;
                  if (old) URL.revokeObjectURL(old);
                  get().updateItem(item.id, { flowPreview: URL.createObjectURL(jpeg) });
                },
              },
              AbortSignal.any([run, videoController.signal]),
              pauseController.signal,
            );
            change(item.id, { status: 'done', summary, resume: undefined, fraction: 1 });
            void get().noteResult(resultId, summary);
            const measured = weightsFromStages(summary.meta.stageSeconds, settings.streams.includes('flow'));
            if (measured) set({ weights: measured });
          } catch (e) {
            const info = toErrorInfo(e);
            if (info.code === 'E_PAUSED') {
              // stopped between chunks: it goes on from there
              change(item.id, { status: 'queued', resume: true });
              stoppedBy = 'pause';
              break;
            }
            const cancelled = info.code === 'E_CANCELLED';
            // one failed video never stops the queue (a cancel of the queue does)
            change(item.id, cancelled ? { status: 'cancelled', error: undefined, resume: undefined } : { status: 'error', error: info, resume: undefined });
            void bridge()
              .removeResult(resultId)
              .catch(() => undefined);
            if (cancelled && run.aborted) stoppedBy = 'cancel';
          }
        }
      } finally {
        runController = null;
        videoController = null;
        pauseController = null;
        set((s) => ({
          running: false,
          paused: stoppedBy === 'pause',
          queue: s.queue.map((q) => (q.status === 'queued' ? { ...q, status: 'ready' } : q)),
        }));
        for (const q of get().queue) if (q.status === 'ready') persist(q.id);
        void savedQueue.setRunning(false);
        // the loaded models are kept while the queue runs, not after
        void bridge()
          .releaseModels()
          .catch(() => undefined);
      }
    },

    cancelRun() {
      runController?.abort();
    },

    cancelItem(id) {
      const item = get().queue.find((q) => q.id === id);
      if (!item) return;
      if (item.status === 'running') videoController?.abort();
      else if (item.status === 'queued' || item.status === 'ready') {
        if (item.resume && item.resultId)
          void bridge()
            .removeResult(item.resultId)
            .catch(() => undefined);
        change(id, { status: 'cancelled', resume: undefined });
      }
    },

    pauseQueue() {
      if (get().running) pauseController?.abort();
    },

    resumeQueue() {
      set({ paused: false });
      void get().runQueue();
    },

    retryItem(id) {
      const item = get().queue.find((q) => q.id === id);
      if (!item || !(item.status === 'error' || item.status === 'cancelled') || !item.file) return;
      // a video that failed before it was read (a probe error) is read again
      if (!item.meta) {
        get().updateItem(id, { status: 'probing', error: undefined });
        probe(item);
        return;
      }
      change(id, { status: get().running ? 'queued' : 'ready', error: undefined, resultId: undefined, summary: undefined, fraction: 0 });
      if (!get().running) void get().runQueue();
    },

    clearFinished() {
      for (const q of get().queue.filter((x) => x.status === 'done')) get().removeItem(q.id);
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
  };
};
