/**
 * OpfsDir over a stand-in folder handle: files are written under temporary names and renamed when whole, a full
 * disk becomes E_QUOTA and leaves nothing under the name, writes land at the right offsets, resumes reopen the
 * temporary file.
 */
import { describe, expect, it } from 'vitest';
import { OpfsDir } from './opfs';

/**
 * A folder of files in memory with OPFS's handle semantics: one open access handle per file, and move replaces a
 * file of the new name as Chromium's does (`moveReplaces` false: it refuses, as a browser may).
 */
function fakeDir(capacity: number, moveReplaces = true) {
  const files = new Map<string, Uint8Array>();
  const open = new Set<string>();
  const notFound = () => new DOMException('not found', 'NotFoundError');
  const fileHandle = (initial: string) => {
    let name = initial;
    return {
      async createSyncAccessHandle() {
        if (!files.has(name)) throw notFound();
        if (open.has(name)) throw new DOMException('locked', 'NoModificationAllowedError');
        open.add(name);
        const at = name;
        let buf = files.get(name) ?? new Uint8Array(0);
        return {
          getSize: () => buf.length,
          truncate(n: number) {
            buf = buf.slice(0, n);
            files.set(at, buf);
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
            files.set(at, buf);
            return chunk.length;
          },
          flush() {},
          close() {
            open.delete(at);
          },
        };
      },
      async getFile() {
        const bytes = files.get(name);
        if (!bytes) throw notFound();
        return new Blob([bytes.slice()]);
      },
      async move(to: string) {
        const bytes = files.get(name);
        if (!bytes) throw notFound();
        if (open.has(name) || open.has(to)) throw new DOMException('locked', 'NoModificationAllowedError');
        if (!moveReplaces && files.has(to)) throw new DOMException('exists', 'InvalidModificationError');
        files.delete(name);
        files.set(to, bytes);
        name = to;
      },
    };
  };
  const handle = {
    async getFileHandle(name: string, opts?: { create?: boolean }) {
      if (!files.has(name)) {
        if (!opts?.create) throw notFound();
        files.set(name, new Uint8Array(0));
      }
      return fileHandle(name);
    },
    async removeEntry(name: string) {
      if (!files.delete(name)) throw notFound();
    },
    async *keys() {
      yield* [...files.keys()];
    },
  };
  const bytes = (name: string) => [...(files.get(name) ?? [])];
  return { dir: new OpfsDir(handle as unknown as FileSystemDirectoryHandle), files, open, bytes };
}

describe('OpfsDir', () => {
  it('appends and patches bytes under a temporary name, and renames the file when it is closed', async () => {
    const { dir, files, bytes } = fakeDir(1 << 20);
    const f = await dir.create('a.bin');
    await f.write(Uint8Array.from([1, 2, 3]));
    await f.write(Uint8Array.from([4, 5]));
    await f.writeAt(Uint8Array.from([9]), 1);
    expect(await dir.list()).toEqual(['a.bin.part']);
    expect(files.has('a.bin')).toBe(false);
    await f.close();
    expect(await dir.list()).toEqual(['a.bin']);
    expect(bytes('a.bin')).toEqual([1, 9, 3, 4, 5]);
    expect(await dir.size('a.bin')).toBe(5);
  });

  it.each([true, false])('a closed file replaces the one of its name (move replaces: %s)', async (moveReplaces) => {
    const { dir, bytes } = fakeDir(1 << 20, moveReplaces);
    await dir.writeBytes('r.json', Uint8Array.from([1, 1, 1]));
    const f = await dir.create('r.json');
    await f.write(Uint8Array.from([2]));
    // until the new one is whole, the old one is there unchanged
    expect(bytes('r.json')).toEqual([1, 1, 1]);
    await f.close();
    expect(await dir.list()).toEqual(['r.json']);
    expect(bytes('r.json')).toEqual([2]);
  });

  it('turns a full disk into E_QUOTA and leaves nothing under the name; the abandoned file is let go', async () => {
    const { dir, files, open } = fakeDir(4);
    const f = await dir.create('b.bin');
    await f.write(Uint8Array.from([1, 2, 3]));
    await expect(async () => f.write(Uint8Array.from([4, 5]))).rejects.toThrow(/E_QUOTA/);
    await f.abandon();
    expect(open.size).toBe(0);
    expect(files.has('b.bin')).toBe(false);
    expect(await dir.list()).toEqual(['b.bin.part']);
  });

  it('a small file whose write fails is not put in place (nor an earlier one changed)', async () => {
    const { dir, open, bytes } = fakeDir(4);
    await dir.writeBytes('c.json', Uint8Array.from([7]));
    await expect(dir.writeBytes('c.json', Uint8Array.from([1, 2, 3, 4, 5]))).rejects.toThrow(/E_QUOTA/);
    expect(open.size).toBe(0);
    expect(bytes('c.json')).toEqual([7]);
    await expect(dir.writeBytes('d.json', Uint8Array.from([1, 2, 3, 4, 5]))).rejects.toThrow(/E_QUOTA/);
    expect((await dir.list()).filter((n) => n.startsWith('d'))).toEqual(['d.json.part']);
  });

  it('resumes the temporary file an interrupted writer left: keeps its first bytes, writes on after them, refuses a file shorter than kept', async () => {
    const { dir, bytes } = fakeDir(1 << 20);
    const f = await dir.create('c.bin');
    await f.write(Uint8Array.from([1, 2, 3, 4, 5]));
    await f.abandon();
    const g = await dir.resume('c.bin', 3);
    await g.write(Uint8Array.from([7, 8]));
    expect(await dir.list()).toEqual(['c.bin.part']);
    await g.close();
    expect(await dir.list()).toEqual(['c.bin']);
    expect(bytes('c.bin')).toEqual([1, 2, 3, 7, 8]);
    await expect(dir.resume('c.bin', 6)).rejects.toThrow(/5 bytes, 6 to keep/);
    await expect(dir.resume('none.bin', 0)).rejects.toThrow(/none.bin: no file to resume/);
  });

  it('resumes a file that was finished: it goes back under its temporary name until closed again', async () => {
    const { dir, bytes } = fakeDir(1 << 20);
    await dir.writeBytes('e.bin', Uint8Array.from([1, 2, 3]));
    const g = await dir.resume('e.bin', 3);
    expect(await dir.list()).toEqual(['e.bin.part']);
    await g.close();
    expect(bytes('e.bin')).toEqual([1, 2, 3]);
  });

  it('the test hook: writes meet the browser quota error after the given bytes (of one file), the bytes before it written', async () => {
    const { dir, bytes } = fakeDir(1 << 20);
    dir.failWritesForTest(3, 'meta.json');
    await dir.writeBytes('other.json', Uint8Array.from([1, 2, 3, 4, 5]));
    const f = await dir.create('meta.json');
    await f.write(Uint8Array.from([1, 2]));
    const err = await (async () => f.write(Uint8Array.from([3, 4])))().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_QUOTA', message: expect.stringMatching(/quota/) as unknown });
    await f.abandon();
    expect(bytes('meta.json.part')).toEqual([1, 2, 3]);
    expect(await dir.list()).toEqual(['meta.json.part', 'other.json']);
  });
});
