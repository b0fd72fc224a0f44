/**
 * Read a PyTorch checkpoint with the app's restricted reader and print one JSON line per file:
 * format, I3D info (or the typed error), tensor count, load time and the process's peak RSS.
 *
 *   npm run checkpoint-info -- FILE.pt [FILE.pt ...] [--bytes]
 *
 * By default the file is opened as a file-backed Blob (`fs.openAsBlob`), as the browser passes a
 * File: only the pickles and one tensor at a time are read. `--bytes` reads the whole file first.
 * Peak RSS is the process maximum so far: run one file per process to measure one file.
 */
import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { toErrorInfo } from '../../src/errors';
import { checkI3d, loadStateDict } from '../../src/model/checkpoint';
import { fromBlob, fromBytes } from '../../src/model/pickle';

const mb = (kb: number) => Math.round(kb / 1024);

/** The whole file as a view on Node's buffer (no second copy). */
async function readWhole(file: string): Promise<Uint8Array> {
  const buf = await readFile(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const asBytes = args.includes('--bytes');
  const files = args.filter((a) => !a.startsWith('--'));
  if (!files.length) {
    console.error('usage: checkpoint-info FILE.pt [FILE.pt ...] [--bytes]');
    process.exit(2);
  }
  for (const file of files) {
    const size = (await stat(file)).size;
    const rssBeforeMB = mb(process.resourceUsage().maxRSS);
    const t0 = performance.now();
    try {
      const source = asBytes ? fromBytes(await readWhole(file)) : fromBlob(await openAsBlob(file));
      const { stateDict, format } = await loadStateDict(source);
      const ms = performance.now() - t0;
      const { info, unexpectedKeys } = checkI3d(stateDict);
      let tensorBytes = 0;
      for (const t of stateDict.values()) tensorBytes += t.data.byteLength;
      console.log(
        JSON.stringify({
          file,
          bytes: size,
          source: asBytes ? 'bytes' : 'blob',
          format,
          ...info,
          tensors: stateDict.size,
          tensorBytes,
          unexpectedKeys,
          loadMs: Math.round(ms),
          rssBeforeMB,
          peakRssMB: mb(process.resourceUsage().maxRSS),
        }),
      );
    } catch (e) {
      console.log(JSON.stringify({ file, bytes: size, error: toErrorInfo(e) }));
      process.exitCode = 1;
    }
  }
}

void main();
