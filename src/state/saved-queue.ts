/**
 * The queue as kept in IndexedDB, so that a reload, a crash or a browser restart finds it again: one record per
 * video (what it is, its state, the settings it ran with, its summary when done, and the browser's file handle
 * where it gave one), plus whether the queue was running. Progress lives in the results folder itself (the
 * pipeline records each finished chunk there), so a record changes only when a video changes state.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import type { VideoMeta } from '../decode/probe';
import type { ErrorInfo } from '../errors';
import type { ExtractSettings } from '../bridge/pipeline';
import type { VideoSummary } from '../pipeline/video';

export type SavedStatus = 'ready' | 'queued' | 'running' | 'done' | 'error' | 'cancelled';

export interface SavedItem {
  id: string;
  /** Position in the queue. */
  order: number;
  name: string;
  bytes: number;
  lastModified: number;
  /** The path inside a dropped folder, when there was one. */
  path?: string;
  status: SavedStatus;
  meta?: VideoMeta;
  thumbnail?: Blob;
  /** Reopens the file after a reload (Chromium gives handles for picked and dropped files). */
  handle?: FileSystemFileHandle;
  resultId?: string;
  /** The settings of its run (a resumed run must use the same). */
  settings?: ExtractSettings;
  summary?: VideoSummary;
  error?: ErrorInfo;
}

let db: UseStore | null = null;
const store = () => (db ??= createStore('i3d-queue', 'items'));
const RUNNING_KEY = '#running';

/** Writes fail quietly where IndexedDB is unavailable (a private window that refuses it): the queue still works. */
const quietly = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** The writes not finished yet. */
const writing = new Set<Promise<unknown>>();
const write = <T>(p: Promise<T>): Promise<T | undefined> => {
  const w = quietly(p);
  writing.add(w);
  void w.then(() => writing.delete(w));
  return w;
};

export const savedQueue = {
  async load(): Promise<{ items: SavedItem[]; running: boolean }> {
    const all = (await quietly(entries<string, unknown>(store()))) ?? [];
    const items = all
      .filter(([k]) => k !== RUNNING_KEY)
      .map(([, v]) => v as SavedItem)
      .sort((a, b) => a.order - b.order);
    const running = all.some(([k, v]) => k === RUNNING_KEY && v === true);
    return { items, running };
  },
  save: (item: SavedItem) => write(set(item.id, item, store())),
  remove: (id: string) => write(del(id, store())),
  setRunning: (running: boolean) => write(set(RUNNING_KEY, running, store())),
  /** Resolves once no write is left (those started while it waits included): before the page reloads. */
  async settled(): Promise<void> {
    while (writing.size > 0) await Promise.all([...writing]);
  },
  get: (id: string) => quietly(get<SavedItem>(id, store())),
};

/**
 * The file of a saved video from its handle, when the browser still lets the page read it without asking (and it
 * is still the same file); null otherwise.
 */
export async function fileFromHandle(item: SavedItem, ask = false): Promise<File | null> {
  const h = item.handle as
    (FileSystemFileHandle & { queryPermission?(d: object): Promise<string>; requestPermission?(d: object): Promise<string> }) | undefined;
  if (!h) return null;
  try {
    let permission = (await h.queryPermission?.({ mode: 'read' })) ?? 'granted';
    if (permission !== 'granted' && ask) permission = (await h.requestPermission?.({ mode: 'read' })) ?? 'denied';
    if (permission !== 'granted') return null;
    const file = await h.getFile();
    return sameFile(file, item) ? file : null;
  } catch {
    return null;
  }
}

/** A file dropped again is the saved video when its name, size and last-modified time match. */
export function sameFile(file: { name: string; size: number; lastModified: number }, item: Pick<SavedItem, 'name' | 'bytes' | 'lastModified'>): boolean {
  return file.name === item.name && file.size === item.bytes && file.lastModified === item.lastModified;
}
