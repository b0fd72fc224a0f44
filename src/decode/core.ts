/**
 * ffmpeg.wasm (@ffmpeg/core, single-thread, FFmpeg 5.1) driven directly inside one decode worker.
 *
 * Why the core and not the @ffmpeg/ffmpeg wrapper: the wrapper runs the core in a worker of its own and hands
 * back whole output files after `exec` returns, so a long video would have to sit in wasm memory in full. Here
 * the output is a character device whose write callback receives ffmpeg's bytes as they are produced, so frames
 * stream out while ffmpeg runs, and the input File is mounted with WORKERFS (read in slices, never copied whole).
 */
import createFFmpegCore, { type FFmpegCore } from '@ffmpeg/core';
import { AppError, isOutOfMemory } from '../errors';
import { canonicalArgs } from './filter';
import { parseProbe, probeArgs, type VideoMeta } from './probe';
import { PpmSplitter, type RgbFrame } from './ppm-stream';
import type { DecodeEnd, DecodeOptions } from './frames';
import { collectWarnings, undecodableCodec, unsupportedCodecDetail, WARNING_LOG_ARGS } from './log';

const MOUNT = '/input';
const OUTPUT = '/frames.ppm';

export interface LoadedCore {
  core: FFmpegCore;
  /** stderr lines of the last command (the last 400 kept), for error messages. */
  log: string[];
  /** Every stderr line of the last command with a level prefix (warning and above), for the decode's warnings. */
  leveled: string[];
  stdout: string[];
}

export async function loadCore(wasm: WebAssembly.Module): Promise<LoadedCore> {
  const core = await createFFmpegCore({
    instantiateWasm(imports, done) {
      void WebAssembly.instantiate(wasm, imports).then((instance) => done(instance, wasm));
      return {};
    },
  });
  const loaded: LoadedCore = { core, log: [], leveled: [], stdout: [] };
  core.setLogger(({ type, message }) => {
    // bounded: a long damaged video logs a line per broken macroblock row, and only the kinds are kept
    if (type === 'stderr' && /\[(?:panic|fatal|error|warning)\] /.test(message) && loaded.leveled.length < 100_000) loaded.leveled.push(message);
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
  c.leveled.length = 0;
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
    // Packets are counted (a read of the file, no decoding): a stream without frame count (mkv) gets one.
    // A damaged file (a truncated mdat, corrupt packets) is not refused here: the decode gives the frames that
    // native ffmpeg gives, and reports what it met (DecodeEnd.warnings).
    run(c, () => c.core.ffprobe(...probeArgs(path, true)));
    const why = lastErrors(c);
    const printed = c.stdout.join('\n');
    if (/moov atom not found/i.test(why) && !startsLikeMp4(file)) throw new AppError('E_NOT_VIDEO', why);
    // an mp4 without its index (moov) holds no frame that any decoder can find
    if (/moov atom not found/i.test(why)) throw new AppError('E_DECODE', why);
    if (c.log.length > 0 && !/"streams"/.test(printed)) throw new AppError('E_NOT_VIDEO', why);
    const meta = parseProbe(printed);
    const undecodable = undecodableCodec(c.log);
    if (undecodable !== null && undecodable === meta.codec)
      throw new AppError('E_UNSUPPORTED_CODEC', unsupportedCodecDetail(meta.codec, meta.codecDescription));
    return meta;
  } finally {
    c.core.FS.unmount(MOUNT);
  }
}

export type { DecodeOptions };

/**
 * Decodes `file` with the canonical filter graph; `onFrame` receives every frame, in order, synchronously while
 * ffmpeg runs (it may block to apply back-pressure). Returns the number of frames and ffmpeg's warnings.
 *
 * A damaged file gives what native ffmpeg gives: the frames it can decode (a truncated file its first frames, a
 * corrupt one its concealed frames), with the decoder's complaints as warnings. Only a file that gives no frame
 * is an error.
 */
export function decode(c: LoadedCore, file: File, opts: DecodeOptions, onFrame: (f: RgbFrame) => void): DecodeEnd {
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
    // the core prepends "-nostdin -y" itself; canonicalArgs repeats them harmlessly. The log level changes what
    // ffmpeg prints, never what it decodes.
    const args = [...WARNING_LOG_ARGS, ...canonicalArgs(path, OUTPUT, { ...opts, muxer: 'ppm' })];
    const ret = run(c, () => c.core.exec(...args));
    if (ret !== 0) {
      // a heap that could not grow: ffmpeg's ENOMEM, or the abort the core's exec swallows, are log lines
      const oom = c.log.find((l) => !l.includes(path) && isOutOfMemory(l));
      if (oom) throw new AppError('E_OUT_OF_MEMORY', `ffmpeg after ${count} frames: ${oom}`);
      const why = lastErrors(c);
      const codec = count === 0 ? undecodableCodec(c.log) : null;
      if (codec !== null) throw new AppError('E_UNSUPPORTED_CODEC', unsupportedCodecDetail(codec));
      if (count === 0 && /Invalid data|could not find codec|Unknown format/i.test(why) && !/partial file|Packet corrupt/i.test(c.log.join('\n')))
        throw new AppError('E_NOT_VIDEO', why);
      if (/does not contain any stream|Output file #0 does not contain/i.test(why)) throw new AppError('E_NO_VIDEO_STREAM', why);
      // e.g. an mp4 cut before its first frame was complete: nothing to decode (native ffmpeg gives nothing either)
      if (count === 0) throw new AppError('E_NO_FRAMES', why);
      throw new AppError('E_DECODE', `ffmpeg exit ${ret} after ${count} frames: ${why}`);
    }
    if (!splitter.idle) throw new AppError('E_DECODE', 'the last frame is incomplete');
    if (count === 0) throw new AppError('E_NO_FRAMES', lastErrors(c));
    return { frameCount: count, warnings: collectWarnings(c.leveled, path) };
  } finally {
    FS.unlink(OUTPUT);
    FS.unmount(MOUNT);
  }
}
