/**
 * The Origin Private File System as an OutputDir (workers: synchronous access handles, the fast path), and the
 * app's folder layout in it:
 *   models/<id>/source.pt, models/<id>/<dtype>.onnx, models/<id>/record.json
 *   results/<id>/… (one folder per extracted video)
 * A full disk or quota turns into AppError E_QUOTA. Files are written under temporary names and renamed when
 * whole (./output.ts).
 */
import { AppError } from '../errors';
import { partName, writeWhole, type OutputDir, type OutputFile } from './output';

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

const notFound = (e: unknown) => e instanceof DOMException && e.name === 'NotFoundError';

/** Renames a file in its folder, replacing a file of that name (FileSystemFileHandle.move, not in TypeScript's DOM types). */
async function rename(dir: FileSystemDirectoryHandle, fh: FileSystemFileHandle, name: string): Promise<void> {
  const move = (fh as unknown as { move?(name: string): Promise<void> }).move;
  if (!move) throw new AppError('E_INTERNAL', 'this browser cannot rename files in its private storage');
  try {
    await move.call(fh, name);
  } catch (e) {
    // (Chromium replaces the target; where a browser refuses to, the old file goes first)
    if (!(e instanceof DOMException) || notFound(e)) throw e;
    const targetExists = await dir.getFileHandle(name).then(
      () => true,
      () => false,
    );
    if (!targetExists) throw e;
    await dir.removeEntry(name);
    await move.call(fh, name);
  }
}

/** Test builds: writes into a folder run out of space (../faults.ts QuotaForTest), counted down across its files. */
interface QuotaBudget {
  left: number;
  file?: string;
}

/**
 * An OutputDir over an OPFS folder. Writing needs a worker (createSyncAccessHandle). A file is written as
 * `<name>.part` and renamed when closed whole (./output.ts).
 */
export class OpfsDir implements OutputDir {
  private quotaForTest: QuotaBudget | null = null;

  constructor(readonly handle: FileSystemDirectoryHandle) {}

  async create(name: string): Promise<OutputFile> {
    return this.open(name, await this.handle.getFileHandle(partName(name), { create: true }), 0);
  }

  async resume(name: string, keepBytes: number): Promise<OutputFile> {
    let fh: FileSystemFileHandle;
    try {
      fh = await this.handle.getFileHandle(partName(name));
    } catch (e) {
      if (!notFound(e)) throw e;
      // the file was finished before the run stopped: it goes back under its temporary name to be written on
      fh = await this.handle.getFileHandle(name).catch((err: unknown) => {
        throw notFound(err) ? new Error(`${name}: no file to resume`) : err;
      });
      await rename(this.handle, fh, partName(name));
    }
    return this.open(name, fh, keepBytes);
  }

  /** Test builds only: writes throw the browser's QuotaExceededError once `afterBytes` are written (to `file` only, when given). */
  failWritesForTest(afterBytes: number, file?: string): void {
    if (__TEST_HOOKS__) this.quotaForTest = { left: afterBytes, file };
  }

  private async open(name: string, fh: FileSystemFileHandle, keepBytes: number): Promise<OutputFile> {
    const access = await fh.createSyncAccessHandle();
    const size = access.getSize();
    if (size < keepBytes) {
      access.close();
      throw new Error(`${name}: ${size} bytes, ${keepBytes} to keep`);
    }
    access.truncate(keepBytes);
    let pos = keepBytes;
    const budget = __TEST_HOOKS__ && this.quotaForTest && (this.quotaForTest.file ?? name) === name ? this.quotaForTest : null;
    const write = (chunk: Uint8Array, at: number): number => {
      if (__TEST_HOOKS__ && budget) {
        if (chunk.length > budget.left) {
          access.write(chunk.subarray(0, budget.left), { at });
          budget.left = 0;
          throw new DOMException('The quota has been exceeded (a full disk made by a test).', 'QuotaExceededError');
        }
        budget.left -= chunk.length;
      }
      return access.write(chunk, { at });
    };
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      access.close();
    };
    return {
      write(chunk) {
        try {
          const n = write(chunk, pos);
          if (n !== chunk.length) throw new AppError('E_QUOTA', `wrote ${n} of ${chunk.length} bytes`);
          pos += n;
        } catch (e) {
          quota(e);
        }
      },
      writeAt(chunk, offset) {
        try {
          write(chunk, offset);
        } catch (e) {
          quota(e);
        }
      },
      close: async () => {
        try {
          access.flush();
        } catch (e) {
          release();
          quota(e);
        }
        release();
        await rename(this.handle, fh, name);
      },
      abandon() {
        release();
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

  /** Writes a whole small file (nothing under `name` when the write fails). */
  async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    await writeWhole(this, name, bytes);
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
