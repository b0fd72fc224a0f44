/**
 * The browser side of the intake: turns a drop's DataTransfer into the entry tree ./intake.ts walks. Folders are
 * read through the File System Access handles where the browser has them (`getAsFileSystemHandle`), else through
 * the older entries API (`webkitGetAsEntry`), else a drop gives only its files (no folders).
 */
import { rememberHandle } from '../state/queue';
import { walkEntries, type Intake, type IntakeEntry } from './intake';

/** The parts of FileSystemEntry / FileSystemHandle used here (not all are in TypeScript's DOM lib). */
interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
}
interface FileEntryLike extends EntryLike {
  file(ok: (f: File) => void, fail?: (e: unknown) => void): void;
}
interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(ok: (batch: EntryLike[]) => void, fail?: (e: unknown) => void): void };
}
interface HandleLike {
  kind: 'file' | 'directory';
  name: string;
  getFile?(): Promise<File>;
  values?(): AsyncIterable<HandleLike>;
}
interface ItemLike {
  kind: string;
  getAsFile(): File | null;
  webkitGetAsEntry?(): EntryLike | null;
  getAsFileSystemHandle?(): Promise<HandleLike | null>;
}

function fromEntry(entry: EntryLike): IntakeEntry<File> {
  if (entry.isDirectory) {
    const dir = entry as DirectoryEntryLike;
    return {
      kind: 'directory',
      name: entry.name,
      entries: async () => {
        // readEntries gives a folder in batches (100 in Chromium) until an empty one
        const reader = dir.createReader();
        const all: EntryLike[] = [];
        for (;;) {
          const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
          if (batch.length === 0) break;
          all.push(...batch);
        }
        return all.map(fromEntry);
      },
    };
  }
  const f = entry as FileEntryLike;
  return { kind: 'file', name: entry.name, file: () => new Promise<File>((ok, fail) => f.file(ok, fail)) };
}

function fromHandle(handle: HandleLike): IntakeEntry<File> {
  if (handle.kind === 'directory' && handle.values) {
    const values = handle.values.bind(handle);
    return {
      kind: 'directory',
      name: handle.name,
      entries: async () => {
        const all: IntakeEntry<File>[] = [];
        for await (const child of values()) all.push(fromHandle(child));
        return all;
      },
    };
  }
  const getFile = handle.getFile?.bind(handle);
  const file = async () => {
    if (!getFile) throw new Error('not a file');
    const f = await getFile();
    // kept with the queue: the app reopens the file after a reload without asking for it again
    rememberHandle(f, handle as unknown as FileSystemFileHandle);
    return f;
  };
  return { kind: 'file', name: handle.name, file };
}

const fromFile = (file: File): IntakeEntry<File> => ({ kind: 'file', name: file.name, file: async () => file });

/**
 * Everything a drop holds. Must be called during the `drop` event: the browser empties the DataTransfer when the
 * handler returns, so every item is asked for its file, entry and handle at once, and read afterwards.
 */
export function readDrop(data: DataTransfer): Promise<Intake<File>> {
  const items = Array.from((data.items as unknown as ArrayLike<ItemLike> | undefined) ?? []).filter((item) => item.kind === 'file');
  if (items.length === 0) return walkEntries([...data.files].map(fromFile));
  const pending = items.map((item) => {
    const file = item.getAsFile();
    let entry: EntryLike | null;
    try {
      entry = item.webkitGetAsEntry?.() ?? null;
    } catch {
      entry = null;
    }
    let handle: Promise<HandleLike | null> = Promise.resolve(null);
    try {
      handle = Promise.resolve(item.getAsFileSystemHandle?.() ?? null).catch(() => null);
    } catch {
      // a synthetic DataTransfer may have no handles
    }
    return { file, entry, handle };
  });
  return (async () => {
    const roots: IntakeEntry<File>[] = [];
    for (const { file, entry, handle } of pending) {
      const h = await handle;
      if (h) roots.push(fromHandle(h));
      else if (entry) roots.push(fromEntry(entry));
      else if (file) roots.push(fromFile(file));
    }
    return walkEntries(roots);
  })();
}
