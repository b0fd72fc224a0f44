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

/** Codecs this ffmpeg.wasm build cannot decode that a browser's VideoDecoder (WebCodecs) may: ./webcodecs.ts. */
export const BROWSER_CODECS: ReadonlySet<string> = new Set(['av1']);

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
    if (undecodable !== null && undecodable === meta.codec) {
      // the browser's own decoder may do it (./webcodecs.ts; the caller checks, asynchronously)
      if (BROWSER_CODECS.has(meta.codec)) return { ...meta, decoder: 'browser' };
      throw new AppError('E_UNSUPPORTED_CODEC', unsupportedCodecDetail(meta.codec, meta.codecDescription));
    }
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
  try {
    // the core prepends "-nostdin -y" itself; canonicalArgs repeats them harmlessly. The log level changes what
    // ffmpeg prints, never what it decodes.
    const args = [...WARNING_LOG_ARGS, ...canonicalArgs(path, OUTPUT, { ...opts, muxer: 'ppm' })];
    const { ret, count, complete } = execToFrames(c, args, onFrame);
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
    if (!complete) throw new AppError('E_DECODE', 'the last frame is incomplete');
    if (count === 0) throw new AppError('E_NO_FRAMES', lastErrors(c));
    return { frameCount: count, warnings: collectWarnings(c.leveled, path) };
  } finally {
    FS(c).unmount(MOUNT);
  }
}

const FS = (c: LoadedCore) => c.core.FS;

/** Runs ffmpeg with an output at `output` (a character device) whose bytes go to `onBytes` as they are written. */
export function execToDevice(c: LoadedCore, output: string, args: string[], onBytes: (bytes: Uint8Array) => void): number {
  const fs = FS(c);
  const dev = fs.makedev(64, 0);
  fs.registerDevice(dev, {
    write: (_stream, buffer, offset, length) => {
      onBytes(buffer.subarray(offset, offset + length));
      return length;
    },
  });
  if (fs.analyzePath(output).exists) fs.unlink(output);
  fs.mkdev(output, 0o666, dev);
  try {
    return run(c, () => c.core.exec(...args));
  } finally {
    fs.unlink(output);
  }
}

/** Runs ffmpeg with `args` that write PPM frames to OUTPUT; each frame goes to `onFrame` while ffmpeg runs. */
export function execToFrames(c: LoadedCore, args: string[], onFrame: (f: RgbFrame) => void): { ret: number; count: number; complete: boolean } {
  let count = 0;
  const splitter = new PpmSplitter((f) => {
    count++;
    onFrame(f);
  });
  const ret = execToDevice(c, OUTPUT, args, (b) => splitter.push(b));
  return { ret, count, complete: splitter.idle };
}

/** `fn` with `file` mounted (read in slices, never copied); its path in the core's file system. */
export function withMountedFile<T>(c: LoadedCore, file: File, fn: (path: string) => T): T {
  const path = mountFile(c, file);
  try {
    return fn(path);
  } finally {
    FS(c).unmount(MOUNT);
  }
}

/** Where execToFrames's frames are written (for the argument list). */
export const FRAMES_OUTPUT = OUTPUT;
