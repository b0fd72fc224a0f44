/**
 * Where results are written: a directory of files written front to back. Implementations: OPFS in the browser
 * worker (./opfs.ts), memory (tests), the file system (Node tools). Pure interface + the memory version.
 */
export interface OutputFile {
  /** Appends bytes. May throw AppError E_QUOTA when storage is full. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Overwrites bytes at an offset already written (e.g. a header). */
  writeAt(chunk: Uint8Array, offset: number): void | Promise<void>;
  close(): void | Promise<void>;
}

export interface OutputDir {
  create(name: string): Promise<OutputFile>;
  /** The file's bytes in chunks. */
  read(name: string): AsyncIterable<Uint8Array>;
  size(name: string): Promise<number>;
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** An OutputDir in memory (tests, small runs). */
export class MemoryDir implements OutputDir {
  readonly files = new Map<string, Uint8Array>();

  async create(name: string): Promise<OutputFile> {
    let buf = new Uint8Array(1 << 16);
    let len = 0;
    const ensure = (n: number) => {
      if (n <= buf.length) return;
      const next = new Uint8Array(Math.max(n, buf.length * 2));
      next.set(buf.subarray(0, len));
      buf = next;
    };
    this.files.set(name, new Uint8Array(0));
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
        this.files.set(name, buf.slice(0, len));
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
