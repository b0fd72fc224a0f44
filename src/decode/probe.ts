/**
 * What the queue shows about a video, read from ffprobe's JSON (`-print_format json -show_streams -show_format`).
 * Pure: the same parser reads the output of ffmpeg.wasm's ffprobe in the browser and of native ffprobe in tests.
 */
import { AppError } from '../errors';
import { canonicalSize } from './filter';

export interface VideoMeta {
  /** Displayed size (rotation applied), before the canonical scaling. */
  width: number;
  height: number;
  /** Size of the decoded frames (short side 256). */
  decodedWidth: number;
  decodedHeight: number;
  /** Degrees clockwise the player rotates the picture (0, 90, 180, 270). */
  rotation: number;
  /** Average frame rate, frames per second. */
  fps: number;
  /** The exact rate as ffprobe gives it, e.g. "981/50". */
  fpsFraction: string;
  /** Seconds; NaN when the container does not say. */
  duration: number;
  /** Frames in the stream as the container says (or as counted from packets); null when unknown. */
  frameCount: number | null;
  /** Video packets actually present in the file (when counted); null when not counted. */
  packetCount: number | null;
  codec: string;
  /** ffmpeg's long name of the codec and the encoder the file names, when known ("Alliance for Open Media AV1, Lavc59.37.100 libaom-av1"). */
  codecDescription?: string;
  hasAudio: boolean;
  /** Pixel format and colour description as the container/parser states them (absent when it does not). */
  pixFmt?: string;
  colorRange?: string;
  colorSpace?: string;
  /**
   * `browser`: ffmpeg.wasm has no decoder for this codec but the browser may (./webcodecs.ts decodes it there and
   * gives the frames to the same filter graph); absent: ffmpeg.wasm decodes it.
   */
  decoder?: 'browser';
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  codec_long_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
  pix_fmt?: string;
  color_range?: string;
  color_space?: string;
}

interface ProbeJson {
  streams?: ProbeStream[];
  format?: { duration?: string; format_name?: string };
}

function parseRate(rate: string | undefined): number {
  if (!rate) return NaN;
  const [num, den] = rate.split('/').map(Number);
  if (den === undefined) return num;
  return den > 0 ? num / den : NaN;
}

function rotationOf(s: ProbeStream): number {
  let deg = 0;
  const side = s.side_data_list?.find((d) => typeof d.rotation === 'number');
  if (side?.rotation !== undefined)
    deg = -side.rotation; // display matrix: counter-clockwise degrees
  else if (s.tags?.rotate) deg = Number(s.tags.rotate);
  return (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
}

function describeCodec(s: ProbeStream): string | undefined {
  const encoder = s.tags?.ENCODER ?? s.tags?.encoder;
  const parts = [s.codec_long_name, encoder].filter((p): p is string => !!p && p !== s.codec_name);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

const known = <K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> =>
  v && v !== 'unknown' ? ({ [key]: v } as Record<K, string>) : {};

/** Parse ffprobe JSON; throws E_NOT_VIDEO / E_NO_VIDEO_STREAM. */
export function parseProbe(jsonText: string): VideoMeta {
  let json: ProbeJson;
  try {
    json = JSON.parse(jsonText) as ProbeJson;
  } catch {
    throw new AppError('E_NOT_VIDEO', 'ffprobe gave no readable answer');
  }
  const streams = json.streams ?? [];
  if (streams.length === 0 && !json.format) throw new AppError('E_NOT_VIDEO');
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video || !video.width || !video.height) {
    const kinds = streams.map((s) => s.codec_type ?? '?').join(', ');
    throw new AppError('E_NO_VIDEO_STREAM', kinds ? `streams found: ${kinds}` : 'no streams');
  }
  const rotation = rotationOf(video);
  const swap = rotation === 90 || rotation === 270;
  const width = swap ? video.height : video.width;
  const height = swap ? video.width : video.height;
  const fpsFraction = video.avg_frame_rate && video.avg_frame_rate !== '0/0' ? video.avg_frame_rate : (video.r_frame_rate ?? '0/0');
  const listed = Number(video.nb_frames);
  const packets = Number(video.nb_read_packets);
  const count = (n: number) => (Number.isFinite(n) && n > 0 ? n : null);
  const decoded = canonicalSize(width, height);
  return {
    width,
    height,
    decodedWidth: decoded.width,
    decodedHeight: decoded.height,
    rotation,
    fps: parseRate(fpsFraction),
    fpsFraction,
    duration: Number(video.duration ?? json.format?.duration ?? NaN),
    frameCount: count(listed) ?? count(packets),
    packetCount: video.nb_read_packets === undefined ? null : Number(video.nb_read_packets),
    codec: video.codec_name ?? 'unknown',
    codecDescription: describeCodec(video),
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    ...known('pixFmt', video.pix_fmt),
    ...known('colorRange', video.color_range),
    ...known('colorSpace', video.color_space),
  };
}

/** ffprobe arguments (after the program name) for `input`. */
export function probeArgs(input: string, countPackets = false): string[] {
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format'];
  if (countPackets) args.push('-count_packets');
  args.push(input);
  return args;
}
