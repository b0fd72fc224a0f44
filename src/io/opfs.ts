/**
 * The Origin Private File System as an OutputDir (workers: synchronous access handles, the fast path), and the
 * app's folder layout in it:
 *   models/<id>/source.pt, models/<id>/<dtype>.onnx, models/<id>/record.json
 *   results/<id>/… (one folder per extracted video)
 * A full disk or quota turns into AppError E_QUOTA.
 */
import { AppError } from '../errors';
import type { OutputDir, OutputFile } from './output';

function quota(e: unknown): never {
  if (e instanceof DOMException && e.name === 'QuotaExceededError') throw new AppError('E_QUOTA', e.message);
  throw e;
}

export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  if (!('storage' in navigator) || !navigator.storage.getDirectory) throw new AppError('E_INTERNAL', 'this browser has no Origin Private File System');
  return navigator.storage.getDirectory();
}

/** A folder under the OPFS root, created as needed: opfsDir('results', 'v1'). */
export async function opfsDir(...path: string[]): Promise<FileSystemDirectoryHandle> {
  let dir = await opfsRoot();
  for (const part of path) dir = await dir.getDirectoryHandle(part, { create: true });
  return dir;
}

/** Removes a folder (and everything in it) under the OPFS root; no error if it is not there. */
export async function opfsRemove(...path: string[]): Promise<void> {
  const parent = await opfsDir(...path.slice(0, -1));
  await parent.removeEntry(path[path.length - 1], { recursive: true }).catch((e: unknown) => {
    if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
  });
}

/** Reads a whole small file (JSON records); null when missing. */
export async function opfsReadText(dir: FileSystemDirectoryHandle, name: string): Promise<string | null> {
  try {
    return await (await (await dir.getFileHandle(name)).getFile()).text();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotFoundError') return null;
    throw e;
  }
}

/** An OutputDir over an OPFS folder. Writing needs a worker (createSyncAccessHandle). */
export class OpfsDir implements OutputDir {
  constructor(readonly handle: FileSystemDirectoryHandle) {}

  async create(name: string): Promise<OutputFile> {
    return this.open(name, 0, true);
  }

  async resume(name: string, keepBytes: number): Promise<OutputFile> {
    return this.open(name, keepBytes, false);
  }

  private async open(name: string, keepBytes: number, create: boolean): Promise<OutputFile> {
    const fh = await this.handle.getFileHandle(name, { create });
    const access = await fh.createSyncAccessHandle();
    const size = access.getSize();
    if (size < keepBytes) {
      access.close();
      throw new Error(`${name}: ${size} bytes, ${keepBytes} to keep`);
    }
    access.truncate(keepBytes);
    let pos = keepBytes;
    return {
      write(chunk) {
        try {
          const n = access.write(chunk, { at: pos });
          if (n !== chunk.length) throw new AppError('E_QUOTA', `wrote ${n} of ${chunk.length} bytes`);
          pos += n;
        } catch (e) {
          quota(e);
        }
      },
      writeAt(chunk, offset) {
        try {
          access.write(chunk, { at: offset });
        } catch (e) {
          quota(e);
        }
      },
      close() {
        try {
          access.flush();
        } finally {
          access.close();
        }
      },
    };
  }

  async *read(name: string): AsyncIterable<Uint8Array> {
    const file = await (await this.handle.getFileHandle(name)).getFile();
    const step = 4 << 20;
    for (let off = 0; off < file.size; off += step) {
      yield new Uint8Array(await file.slice(off, off + step).arrayBuffer());
    }
  }

  async size(name: string): Promise<number> {
    return (await (await this.handle.getFileHandle(name)).getFile()).size;
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    for await (const name of (this.handle as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.sort();
  }

  async remove(name: string): Promise<void> {
    await this.handle.removeEntry(name);
  }

  /** Writes a whole small file. */
  async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    const f = await this.create(name);
    await f.write(bytes);
    await f.close();
  }
}

/** A file's size; 0 when it cannot be read now (written to by a running extraction, or just removed). */
async function fileBytes(handle: FileSystemFileHandle): Promise<number> {
  try {
    return (await handle.getFile()).size;
  } catch {
    return 0;
  }
}

/** Bytes of every file under an OPFS folder (through its subfolders). */
async function folderBytes(dir: FileSystemDirectoryHandle): Promise<number> {
  let bytes = 0;
  for await (const [, handle] of entriesOf(dir))
    bytes += handle.kind === 'file' ? await fileBytes(handle as FileSystemFileHandle) : await folderBytes(handle as FileSystemDirectoryHandle);
  return bytes;
}

function entriesOf(dir: FileSystemDirectoryHandle): AsyncIterable<[string, FileSystemHandle]> {
  return (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
}

/** What is directly in an OPFS folder (created as needed): each entry's name, kind and size (a folder's: all its files). */
export async function opfsList(...path: string[]): Promise<{ name: string; folder: boolean; bytes: number }[]> {
  const out: { name: string; folder: boolean; bytes: number }[] = [];
  for await (const [name, handle] of entriesOf(await opfsDir(...path))) {
    const folder = handle.kind === 'directory';
    out.push({
      name,
      folder,
      bytes: folder ? await folderBytes(handle as FileSystemDirectoryHandle) : await fileBytes(handle as FileSystemFileHandle),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
