/** OpfsDir over a stand-in handle: a full disk becomes E_QUOTA, writes land at the right offsets. */
import { describe, expect, it } from 'vitest';
import { OpfsDir } from './opfs';

function fakeDir(capacity: number) {
  const files = new Map<string, Uint8Array>();
  const handle = {
    async getFileHandle(name: string) {
      return {
        async createSyncAccessHandle() {
          let buf = files.get(name) ?? new Uint8Array(0);
          return {
            getSize: () => buf.length,
            truncate(n: number) {
              buf = buf.slice(0, n);
              files.set(name, buf);
            },
            write(chunk: Uint8Array, opts: { at: number }) {
              const end = opts.at + chunk.length;
              if (end > capacity) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
              if (end > buf.length) {
                const next = new Uint8Array(end);
                next.set(buf);
                buf = next;
              }
              buf.set(chunk, opts.at);
              files.set(name, buf);
              return chunk.length;
            },
            flush() {},
            close() {},
          };
        },
      };
    },
  };
  return { dir: new OpfsDir(handle as unknown as FileSystemDirectoryHandle), files };
}

describe('OpfsDir', () => {
  it('appends and patches bytes', async () => {
    const { dir, files } = fakeDir(1 << 20);
    const f = await dir.create('a.bin');
    await f.write(Uint8Array.from([1, 2, 3]));
    await f.write(Uint8Array.from([4, 5]));
    await f.writeAt(Uint8Array.from([9]), 1);
    await f.close();
    expect([...(files.get('a.bin') ?? [])]).toEqual([1, 9, 3, 4, 5]);
  });

  it('turns a full disk into E_QUOTA', async () => {
    const { dir } = fakeDir(4);
    const f = await dir.create('b.bin');
    await f.write(Uint8Array.from([1, 2, 3]));
    await expect(async () => f.write(Uint8Array.from([4, 5]))).rejects.toThrow(/E_QUOTA/);
  });

  it('resumes a file: keeps its first bytes, writes on after them, refuses a file shorter than kept', async () => {
    const { dir, files } = fakeDir(1 << 20);
    const f = await dir.create('c.bin');
    await f.write(Uint8Array.from([1, 2, 3, 4, 5]));
    await f.close();
    const g = await dir.resume('c.bin', 3);
    await g.write(Uint8Array.from([7, 8]));
    await g.close();
    expect([...(files.get('c.bin') ?? [])]).toEqual([1, 2, 3, 7, 8]);
    await expect(dir.resume('c.bin', 6)).rejects.toThrow(/5 bytes, 6 to keep/);
  });
});
