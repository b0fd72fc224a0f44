/**
 * Zip archives streamed from files: a video's `.npz` (numpy's format: a zip of .npy files, stored) and the
 * "download all" zip. fflate does the zip format; entries are stored uncompressed (float features do not
 * compress), and nothing is held in memory beyond one chunk.
 */
import { Zip, ZipPassThrough } from 'fflate';
import { fillFile, type OutputDir, type OutputFile } from './output';

export interface BundleEntry {
  /** Path inside the archive. */
  name: string;
  /** Directory and file name the bytes come from. */
  dir: OutputDir;
  file: string;
}

/** Writes `entries` as one zip to `out` (then closes it; a zip that fails is abandoned, never closed). */
export async function writeZip(entries: readonly BundleEntry[], out: OutputFile): Promise<void> {
  await fillFile(out, (f) => writeEntries(entries, f));
}

async function writeEntries(entries: readonly BundleEntry[], out: OutputFile): Promise<void> {
  let pending: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else pending = pending.then(() => out.write(data));
  });
  for (const e of entries) {
    const entry = new ZipPassThrough(e.name);
    // a fixed date keeps archives of the same results byte-identical
    entry.mtime = new Date('2020-01-01T00:00:00Z');
    zip.add(entry);
    for await (const chunk of e.dir.read(e.file)) {
      entry.push(chunk);
      await pending;
    }
    entry.push(new Uint8Array(0), true);
    await pending;
  }
  zip.end();
  await pending;
  if (failure) throw failure;
}
