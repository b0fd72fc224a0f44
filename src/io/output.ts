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
  /**
   * Reopens a file written earlier (an interrupted run being resumed): its first `keepBytes` bytes are kept, the
   * rest cut off, and writes append from there.
   */
  resume(name: string, keepBytes: number): Promise<OutputFile>;
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
    return this.openAt(name, new Uint8Array(0));
  }

  async resume(name: string, keepBytes: number): Promise<OutputFile> {
    const old = this.files.get(name);
    if (!old || old.length < keepBytes) throw new Error(`${name}: ${old?.length ?? 0} bytes, ${keepBytes} to keep`);
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
    this.files.set(name, buf.slice(0, len));
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
