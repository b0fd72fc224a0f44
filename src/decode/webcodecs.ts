/// <reference lib="webworker" />
/**
 * Videos whose codec this ffmpeg.wasm build cannot decode but the browser can (AV1: core.ts BROWSER_CODECS),
 * decoded in the decode worker with the same result as native ffmpeg:
 * 1. ffmpeg.wasm copies the video stream's packets out of the container, unchanged (`-c:v copy -f ivf`, read as
 *    it is written: ./ivf.ts);
 * 2. the browser's VideoDecoder (WebCodecs) decodes them to YUV planes — AV1 decoding is exact by specification,
 *    so these are the planes native ffmpeg's decoder (libdav1d or libaom) gives;
 * 3. the planes go, a batch at a time, to ffmpeg.wasm as raw video with the stream's pixel format and colour
 *    description, through the canonical filter graph (plus the rotation native ffmpeg applies): the same
 *    swscale conversion as native ffmpeg, so the RGB frames are byte for byte native ffmpeg's.
 * The scale filter keeps no state between frames, so converting in batches changes nothing. Resampling to a
 * frame rate (`fps=`) does depend on the frames' times, which raw video does not carry: refused for these files.
 */
import { AppError } from '../errors';
import { CANONICAL_OUTPUT_ARGS, canonicalFilter } from './filter';
import { FRAMES_OUTPUT, execToDevice, execToFrames, withMountedFile, type LoadedCore } from './core';
import { IvfSplitter, type IvfPacket } from './ivf';
import { codecLabel } from './log';
import type { DecodeEnd, DecodeOptions } from './frames';
import type { RgbFrame } from './ppm-stream';
import type { VideoMeta } from './probe';

const PACKETS = '/packets.ivf';
const RAW = '/planes.yuv';
/** Decoded frames converted per ffmpeg run. */
const BATCH = 8;

/** WebCodecs' frame formats → ffmpeg's pixel formats (planar, as VideoFrame.copyTo lays them out). */
const PIX_FMTS: Record<string, string> = {
  I420: 'yuv420p',
  I420P10: 'yuv420p10le',
  I420P12: 'yuv420p12le',
  I420A: 'yuva420p',
  I422: 'yuv422p',
  I422P10: 'yuv422p10le',
  I422P12: 'yuv422p12le',
  I444: 'yuv444p',
  I444P10: 'yuv444p10le',
  I444P12: 'yuv444p12le',
  NV12: 'nv12',
};

/** The VideoDecoder configuration for the stream (AV1: profile from the pixel format, 8/10/12-bit). */
export function decoderConfig(meta: VideoMeta): VideoDecoderConfig | null {
  if (meta.codec !== 'av1') return null;
  const pix = meta.pixFmt ?? 'yuv420p';
  const depth = /p12/.test(pix) ? '12' : /p10/.test(pix) ? '10' : '08';
  const profile = /444/.test(pix) ? 1 : /422/.test(pix) || depth === '12' ? 2 : 0;
  return { codec: `av01.${profile}.08M.${depth}`, codedWidth: meta.width, codedHeight: meta.height };
}

/** Whether this browser decodes the stream (VideoDecoder.isConfigSupported). */
export async function browserDecodes(meta: VideoMeta): Promise<boolean> {
  const config = decoderConfig(meta);
  if (!config || typeof VideoDecoder === 'undefined') return false;
  try {
    return (await VideoDecoder.isConfigSupported(config)).supported === true;
  } catch {
    return false;
  }
}

export function browserUnsupportedDetail(meta: VideoMeta): string {
  return `${codecLabel(meta.codec)} (${meta.codecDescription ?? meta.codec}${meta.pixFmt ? `, ${meta.pixFmt}` : ''}) — this build of ffmpeg.wasm cannot decode it, nor can this browser`;
}

/** The filter native ffmpeg puts before the user's graph for a rotated stream (its autorotate). */
function rotationFilter(rotation: number): string {
  if (rotation === 90) return 'transpose=clock,';
  if (rotation === 180) return 'hflip,vflip,';
  if (rotation === 270) return 'transpose=cclock,';
  return '';
}

/** ffmpeg.wasm: the video stream's packets, unchanged, in decoding order. */
function demux(c: LoadedCore, file: File): IvfPacket[] {
  const packets: IvfPacket[] = [];
  const ivf = new IvfSplitter((p) => packets.push(p));
  const ret = withMountedFile(c, file, (path) =>
    execToDevice(c, PACKETS, ['-nostdin', '-y', '-i', path, '-map', '0:v:0', '-c:v', 'copy', '-an', '-sn', '-dn', '-f', 'ivf', PACKETS], (b) => ivf.push(b)),
  );
  if (ret !== 0 && packets.length === 0) throw new AppError('E_DECODE', `the ${codecLabel('av1')} packets could not be read: ${c.log.slice(-3).join(' | ')}`);
  return packets;
}

interface Planes {
  format: string;
  width: number;
  height: number;
  data: Uint8Array;
}

async function planesOf(frame: VideoFrame): Promise<Planes> {
  try {
    const format = frame.format;
    if (format === null || !(format in PIX_FMTS)) throw new AppError('E_UNSUPPORTED_CODEC', `the browser's decoder gave frames in format ${String(format)}`);
    const data = new Uint8Array(frame.allocationSize());
    await frame.copyTo(data);
    return { format, width: frame.visibleRect?.width ?? frame.codedWidth, height: frame.visibleRect?.height ?? frame.codedHeight, data };
  } finally {
    frame.close();
  }
}

/** ffmpeg.wasm: raw planes (one size and format) through the canonical filter graph, frames to `onFrame`. */
function convert(c: LoadedCore, meta: VideoMeta, planes: Planes[], onFrame: (f: RgbFrame) => void): void {
  const { format, width, height } = planes[0];
  const total = planes.reduce((n, p) => n + p.data.length, 0);
  const raw = new Uint8Array(total);
  let at = 0;
  for (const p of planes) {
    raw.set(p.data, at);
    at += p.data.length;
  }
  const fs = c.core.FS;
  fs.writeFile(RAW, raw);
  try {
    const colour = [...(meta.colorRange ? ['-color_range', meta.colorRange] : []), ...(meta.colorSpace ? ['-colorspace', meta.colorSpace] : [])];
    const args = [
      '-nostdin',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      PIX_FMTS[format],
      '-s',
      `${width}x${height}`,
      '-framerate',
      meta.fpsFraction && meta.fpsFraction !== '0/0' ? meta.fpsFraction : '25',
      ...colour,
      '-i',
      RAW,
      '-vf',
      rotationFilter(meta.rotation) + canonicalFilter(),
      ...CANONICAL_OUTPUT_ARGS,
      '-c:v',
      'ppm',
      '-f',
      'image2pipe',
      FRAMES_OUTPUT,
    ];
    const { ret, count, complete } = execToFrames(c, args, onFrame);
    if (ret !== 0 || count !== planes.length || !complete)
      throw new AppError('E_DECODE', `converting ${planes.length} decoded frames gave ${count} (exit ${ret}): ${c.log.slice(-3).join(' | ')}`);
  } finally {
    fs.unlink(RAW);
  }
}

/**
 * Decodes `file` (a stream core.probe marked `decoder: 'browser'`) with the browser's VideoDecoder; frames to
 * `onFrame` in order, as decode() gives them. The decoder's errors end the video (E_DECODE) after the frames
 * before them, as a damaged file does with ffmpeg.
 */
export async function decodeInBrowser(c: LoadedCore, file: File, meta: VideoMeta, opts: DecodeOptions, onFrame: (f: RgbFrame) => void): Promise<DecodeEnd> {
  if (opts.fps !== undefined)
    throw new AppError(
      'E_UNSUPPORTED_CODEC',
      `${codecLabel(meta.codec)} is decoded by the browser here, and resampling it to another frame rate (--fps) is not supported; use the native rate`,
    );
  const config = decoderConfig(meta);
  if (!config || !(await browserDecodes(meta))) throw new AppError('E_UNSUPPORTED_CODEC', browserUnsupportedDetail(meta));
  const packets = demux(c, file);
  const limit = opts.maxFrames ?? Infinity;
  const decoded: VideoFrame[] = [];
  let failure: unknown = null;
  const decoder = new VideoDecoder({ output: (f) => decoded.push(f), error: (e) => (failure = e) });
  decoder.configure(config);
  let count = 0;
  let pending: Planes[] = [];
  const flushPlanes = () => {
    if (pending.length > 0) convert(c, meta, pending, onFrame);
    pending = [];
  };
  const take = async () => {
    while (decoded.length > 0) {
      const frame = decoded.shift() as VideoFrame;
      if (count >= limit) {
        frame.close();
        continue;
      }
      const p = await planesOf(frame);
      if (pending.length > 0 && (p.format !== pending[0].format || p.width !== pending[0].width || p.height !== pending[0].height)) flushPlanes();
      pending.push(p);
      count++;
      if (pending.length >= BATCH) flushPlanes();
    }
  };
  try {
    for (let i = 0; i < packets.length && count < limit && failure === null; i++) {
      decoder.decode(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: packets[i].pts, data: packets[i].data }));
      // bounded: at most a few chunks queued and a batch of frames held
      while (decoder.decodeQueueSize > 4 && failure === null) await new Promise((r) => setTimeout(r, 1));
      await take();
    }
    if (failure === null && count < limit) await decoder.flush().catch((e: unknown) => (failure ??= e));
    await take();
    flushPlanes();
  } finally {
    for (const f of decoded) f.close();
    if (decoder.state !== 'closed') decoder.close();
  }
  if (count === 0) throw new AppError('E_NO_FRAMES', failure ? String(failure) : `${codecLabel(meta.codec)}: the browser decoded no frame`);
  const warnings = failure ? [{ message: `the browser's ${codecLabel(meta.codec)} decoder stopped: ${String(failure)}`, count: 1 }] : [];
  return { frameCount: count, warnings };
}
