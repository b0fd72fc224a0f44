/**
 * ffmpeg.wasm (@ffmpeg/core, single-thread, FFmpeg 5.1) driven directly inside one decode worker.
 *
 * Why the core and not the @ffmpeg/ffmpeg wrapper: the wrapper runs the core in a worker of its own and hands
 * back whole output files after `exec` returns, so a long video would have to sit in wasm memory in full. Here
 * the output is a character device whose write callback receives ffmpeg's bytes as they are produced, so frames
 * stream out while ffmpeg runs, and the input File is mounted with WORKERFS (read in slices, never copied whole).
 */
import createFFmpegCore, { type FFmpegCore } from '@ffmpeg/core';
import { AppError } from '../errors';
import { canonicalArgs } from './filter';
import { parseProbe, probeArgs, type VideoMeta } from './probe';
import { PpmSplitter, type RgbFrame } from './ppm-stream';
import type { DecodeOptions } from './frames';

const MOUNT = '/input';
const OUTPUT = '/frames.ppm';

export interface LoadedCore {
  core: FFmpegCore;
  /** stderr lines of the last command, for error messages. */
  log: string[];
  stdout: string[];
}

export async function loadCore(wasm: WebAssembly.Module): Promise<LoadedCore> {
  const core = await createFFmpegCore({
    instantiateWasm(imports, done) {
      void WebAssembly.instantiate(wasm, imports).then((instance) => done(instance, wasm));
      return {};
    },
  });
  const loaded: LoadedCore = { core, log: [], stdout: [] };
  core.setLogger(({ type, message }) => {
    const into = type === 'stdout' ? loaded.stdout : loaded.log;
    into.push(message);
    if (into.length > 400) into.splice(0, into.length - 400);
  });
  core.FS.mkdir(MOUNT);
  return loaded;
}

function mountFile(c: LoadedCore, file: File): string {
  c.core.FS.mount(c.core.FS.filesystems.WORKERFS, { files: [file] }, MOUNT);
  return `${MOUNT}/${file.name}`;
}

function run(c: LoadedCore, fn: () => number): number {
  c.log.length = 0;
  c.stdout.length = 0;
  const ret = fn();
  c.core.reset();
  return ret;
}

function lastErrors(c: LoadedCore): string {
  const lines = c.log.filter((l) => /error|invalid|not found|no such|could not|failed|corrupt|truncat/i.test(l));
  return (lines.length > 0 ? lines : c.log).slice(-3).join(' | ').slice(0, 400);
}

/** An ISO-BMFF (mp4/mov) file starts with a box whose type is ftyp (or another top-level box type). */
function startsLikeMp4(file: File): boolean {
  const head = new Uint8Array(new FileReaderSync().readAsArrayBuffer(file.slice(4, 8)));
  const type = String.fromCharCode(...head);
  return ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'].includes(type);
}

/** Reads the container and the video stream's metadata. */
export function probe(c: LoadedCore, file: File): VideoMeta {
  if (file.size === 0) throw new AppError('E_EMPTY_FILE');
  const path = mountFile(c, file);
  try {
    // ffprobe's exit status is not reported by this core (ret stays -1), so judge by what it printed.
    // Packets are counted (a read of the file, no decoding) so that a truncated file is caught here.
    run(c, () => c.core.ffprobe(...probeArgs(path, true)));
    const why = lastErrors(c);
    const printed = c.stdout.join('\n');
    if (/moov atom not found/i.test(why) && !startsLikeMp4(file)) throw new AppError('E_NOT_VIDEO', why);
    if (/moov atom not found|partial file|truncat|End of file/i.test(why)) throw new AppError('E_DECODE', why);
    if (c.log.length > 0 && !/"streams"/.test(printed)) throw new AppError('E_NOT_VIDEO', why);
    const meta = parseProbe(printed);
    if (meta.packetCount !== null && meta.frameCount !== null && meta.packetCount < meta.frameCount) {
      throw new AppError('E_DECODE', `the file lists ${meta.frameCount} frames but holds ${meta.packetCount}: truncated`);
    }
    return meta;
  } finally {
    c.core.FS.unmount(MOUNT);
  }
}

export type { DecodeOptions };

/**
 * Decodes `file` with the canonical filter graph; `onFrame` receives every frame, in order, synchronously while
 * ffmpeg runs (it may block to apply back-pressure). Returns the number of frames.
 */
export function decode(c: LoadedCore, file: File, opts: DecodeOptions, onFrame: (f: RgbFrame) => void): number {
  if (file.size === 0) throw new AppError('E_EMPTY_FILE');
  const path = mountFile(c, file);
  let count = 0;
  const splitter = new PpmSplitter((f) => {
    count++;
    onFrame(f);
  });
  const FS = c.core.FS;
  const dev = FS.makedev(64, 0);
  FS.registerDevice(dev, {
    write: (_stream, buffer, offset, length) => {
      splitter.push(buffer.subarray(offset, offset + length));
      return length;
    },
  });
  if (FS.analyzePath(OUTPUT).exists) FS.unlink(OUTPUT);
  FS.mkdev(OUTPUT, 0o666, dev);
  try {
    // the core prepends "-nostdin -y" itself; canonicalArgs repeats them harmlessly
    const args = canonicalArgs(path, OUTPUT, { ...opts, muxer: 'ppm' });
    const ret = run(c, () => c.core.exec(...args));
    if (ret !== 0) {
      const why = lastErrors(c);
      if (count === 0 && /Invalid data|could not find codec|Unknown format/i.test(why)) throw new AppError('E_NOT_VIDEO', why);
      if (/does not contain any stream|Output file #0 does not contain/i.test(why)) throw new AppError('E_NO_VIDEO_STREAM', why);
      throw new AppError('E_DECODE', `ffmpeg exit ${ret} after ${count} frames: ${why}`);
    }
    if (!splitter.idle) throw new AppError('E_DECODE', 'the last frame is incomplete');
    if (count === 0) throw new AppError('E_NO_FRAMES', lastErrors(c));
    return count;
  } finally {
    FS.unlink(OUTPUT);
    FS.unmount(MOUNT);
  }
}
