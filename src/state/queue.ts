/** Queue slice: the videos the user dropped, their metadata, thumbnails and state. */
import type { StateCreator } from 'zustand';
import type { VideoMeta } from '../decode/probe';
import { toErrorInfo, type ErrorInfo } from '../errors';
import { pipeline } from '../bridge/pipeline';
import type { AppState } from './store';

export type QueueStatus = 'probing' | 'ready' | 'error';

export interface QueueItem {
  id: string;
  file: File;
  name: string;
  bytes: number;
  status: QueueStatus;
  meta?: VideoMeta;
  /** Object URL of the first frame. */
  thumbnail?: string;
  error?: ErrorInfo;
}

export interface QueueSlice {
  queue: QueueItem[];
  addFiles(files: Iterable<File>): void;
  removeItem(id: string): void;
  updateItem(id: string, patch: Partial<QueueItem>): void;
}

let counter = 0;

export const createQueueSlice: StateCreator<AppState, [], [], QueueSlice> = (set, get) => ({
  queue: [],
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
              status: 'ready',
              meta,
              thumbnail: thumbnail ? URL.createObjectURL(thumbnail) : undefined,
            }),
          (e: unknown) => get().updateItem(item.id, { status: 'error', error: toErrorInfo(e) }),
        );
    }
  },
  removeItem(id) {
    const item = get().queue.find((q) => q.id === id);
    if (item?.thumbnail) URL.revokeObjectURL(item.thumbnail);
    set((s) => ({ queue: s.queue.filter((q) => q.id !== id) }));
  },
  updateItem(id, patch) {
    set((s) => ({ queue: s.queue.map((q) => (q.id === id ? { ...q, ...patch } : q)) }));
  },
});
