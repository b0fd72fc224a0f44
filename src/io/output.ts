/**
 * Where results are written: a directory of files written front to back. Implementations: OPFS in the browser
 * worker (./opfs.ts), memory (tests, small runs). Pure interface + the memory version.
 *
 * Files are whole or absent: a file is written under its temporary name (`partName(name)`) and takes its name
 * only when it is closed whole. A write that does not finish (an error such as a full disk, a pause, a closed
 * page) leaves nothing under the name, only the temporary file, which `resume` reopens.
 */
export interface OutputFile {
  /** Appends bytes. May throw AppError E_QUOTA when storage is full. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Overwrites bytes at an offset already written (e.g. a header). */
  writeAt(chunk: Uint8Array, offset: number): void | Promise<void>;
  /** The file is complete: it takes its name (replacing a file of that name). */
  close(): void | Promise<void>;
  /** Lets the file go unfinished (a failed or paused run): it stays under its temporary name, for `resume`. */
  abandon(): void | Promise<void>;
}

export interface OutputDir {
  /** A new file `name`, written under `partName(name)` until it is closed. */
  create(name: string): Promise<OutputFile>;
  /**
   * Reopens a file written earlier (an interrupted run being resumed: its temporary file, or the file itself
   * when it was finished, which goes back under its temporary name): its first `keepBytes` bytes are kept, the
   * rest cut off, and writes append from there.
   */
  resume(name: string, keepBytes: number): Promise<OutputFile>;
  /** The file's bytes in chunks (any listed name: temporary files too). */
  read(name: string): AsyncIterable<Uint8Array>;
  size(name: string): Promise<number>;
  /** Every file, temporary ones (`isPart`) included. */
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Suffix of a file being written, or left unfinished. */
export const PART_SUFFIX = '.part';
/** The temporary name `name` is written under. */
export const partName = (name: string): string => name + PART_SUFFIX;
/** Whether a listed file is a temporary one (being written, or left unfinished). */
export const isPart = (name: string): boolean => name.endsWith(PART_SUFFIX);

/** Writes `file` with `fill`, then closes it (it takes its name); when `fill` fails the file is abandoned, never closed. */
export async function fillFile(file: OutputFile, fill: (f: OutputFile) => void | Promise<void>): Promise<void> {
  try {
    await fill(file);
  } catch (e) {
    await file.abandon();
    throw e;
  }
  await file.close();
}

/** Writes a whole small file; after a failed write nothing is under `name`. */
export async function writeWhole(dir: OutputDir, name: string, bytes: Uint8Array): Promise<void> {
  await fillFile(await dir.create(name), (f) => f.write(bytes));
}

/** An OutputDir in memory (tests, small runs). */
export class MemoryDir implements OutputDir {
  readonly files = new Map<string, Uint8Array>();

  async create(name: string): Promise<OutputFile> {
    return this.openAt(name, new Uint8Array(0));
  }

  async resume(name: string, keepBytes: number): Promise<OutputFile> {
    const old = this.files.get(partName(name)) ?? this.files.get(name);
    if (!old || old.length < keepBytes) throw new Error(`${name}: ${old?.length ?? 0} bytes, ${keepBytes} to keep`);
    this.files.delete(name);
    return this.openAt(name, old.subarray(0, keepBytes));
  }

  private openAt(name: string, start: Uint8Array): OutputFile {
    let buf = new Uint8Array(Math.max(1 << 16, start.length));
    buf.set(start);
    let len = start.length;
    const ensure = (n: number) => {
      if (n <= buf.length) return;
      const next = new Uint8Array(Math.max(n, buf.length * 2));
      next.set(buf.subarray(0, len));
      buf = next;
    };
    const part = partName(name);
    this.files.set(part, buf.slice(0, len));
    let open = true;
    return {
      write: (chunk) => {
        ensure(len + chunk.length);
        buf.set(chunk, len);
        len += chunk.length;
      },
      writeAt: (chunk, offset) => {
        if (offset + chunk.length > len) throw new RangeError('writeAt past the end');
        buf.set(chunk, offset);
      },
      close: () => {
        open = false;
        this.files.delete(part);
        this.files.set(name, buf.slice(0, len));
      },
      abandon: () => {
        if (open) this.files.set(part, buf.slice(0, len));
        open = false;
      },
    };
  }

  async *read(name: string): AsyncIterable<Uint8Array> {
    const f = this.files.get(name);
    if (!f) throw new Error(`no file ${name}`);
    for (let i = 0; i < f.length; i += 1 << 20) yield f.subarray(i, i + (1 << 20));
  }

  async size(name: string): Promise<number> {
    return this.files.get(name)?.length ?? 0;
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()];
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}
