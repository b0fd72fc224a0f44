/**
 * A corpus of small videos in the many forms researchers' datasets hold (containers, codecs, pixel formats, sizes,
 * metadata, timing) and of files that are not usable videos, made at test time with native ffmpeg. Each kind says
 * what `npm run extract` must do with it: extract it (and then equal the reference pipeline, which decodes with
 * native ffmpeg) or fail with a given error code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusKind {
  /** File name (unique stem: it names the output folder). */
  file: string;
  /** What the kind is, for the table. */
  what: string;
  /** ffmpeg arguments after `-y`, ending before the output path; null: `make` writes the file itself. */
  ffmpeg: string[] | null;
  make?: (path: string) => void;
  /** 'done', or the error code the run must end with. */
  expect: 'done' | `E_${string}`;
}

const SRC = (size = '96x72', frames = 12, rate = 10) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${frames / rate}`];
const TONE = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=1.2'];
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1'];
const AOM = ['-c:v', 'libaom-av1', '-cpu-used', '8', '-threads', '1'];

const video = (file: string, what: string, args: string[]): CorpusKind => ({ file, what, ffmpeg: args, expect: 'done' });

export const CORPUS: CorpusKind[] = [
  // containers and codecs
  video('h264.mp4', 'H.264 High, yuv420p, mp4 (moov at the end)', [...SRC(), ...X264, '-pix_fmt', 'yuv420p']),
  video('h264-faststart.mp4', 'H.264, mp4 with moov first (faststart)', [...SRC(), ...X264, '-pix_fmt', 'yuv420p', '-movflags', '+faststart']),
  video('h264-fragmented.mp4', 'H.264, fragmented mp4 (empty moov, one fragment per keyframe)', [
    ...SRC(),
    ...X264,
    '-pix_fmt',
    'yuv420p',
    '-g',
    '4',
    '-movflags',
    'frag_keyframe+empty_moov',
  ]),
  video('h264.mkv', 'H.264 in Matroska', [...SRC(), ...X264, '-pix_fmt', 'yuv420p']),
  video('h264.mov', 'H.264 in QuickTime mov', [...SRC(), ...X264, '-pix_fmt', 'yuv420p']),
  video('h264.ts', 'H.264 in MPEG-TS', [...SRC(), ...X264, '-pix_fmt', 'yuv420p']),
  video('h264-444.mp4', 'H.264 High 4:4:4, yuv444p', [...SRC(), ...X264, '-pix_fmt', 'yuv444p']),
  video('h264-422-10bit.mkv', 'H.264 High 4:2:2 10-bit, yuv422p10le', [...SRC(), ...X264, '-pix_fmt', 'yuv422p10le']),
  video('h264-fullrange.mp4', 'H.264, full-range yuvj420p (JPEG levels)', [...SRC(), ...X264, '-pix_fmt', 'yuvj420p']),
  video('h264-bt709.mp4', 'H.264 tagged BT.709 (primaries, transfer, matrix)', [
    ...SRC(),
    ...X264,
    '-pix_fmt',
    'yuv420p',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-colorspace',
    'bt709',
  ]),
  video('h264-interlaced.mp4', 'H.264 interlaced (top field first)', [...SRC(), ...X264, '-pix_fmt', 'yuv420p', '-flags', '+ilme+ildct', '-x264opts', 'tff=1']),
  video('h264-bframes.mp4', 'H.264 with B-frames (pts ≠ dts)', [
    ...SRC('96x72', 16),
    '-c:v',
    'libx264',
    '-preset',
    'medium',
    '-bf',
    '3',
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
  ]),
  video('hevc.mp4', 'H.265/HEVC, yuv420p, mp4', [
    ...SRC(),
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    'log-level=error:pools=1',
    '-pix_fmt',
    'yuv420p',
    '-tag:v',
    'hvc1',
  ]),
  video('hevc-10bit.mkv', 'H.265/HEVC Main 10, yuv420p10le, mkv', [
    ...SRC(),
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    'log-level=error:pools=1',
    '-pix_fmt',
    'yuv420p10le',
  ]),
  video('vp8.webm', 'VP8 in WebM', [...SRC(), '-c:v', 'libvpx', '-b:v', '300k', '-threads', '1']),
  video('vp9.webm', 'VP9 profile 0 in WebM', [...SRC(), '-c:v', 'libvpx-vp9', '-b:v', '300k', '-threads', '1', '-pix_fmt', 'yuv420p']),
  video('vp9-444.webm', 'VP9 profile 1, yuv444p', [...SRC(), '-c:v', 'libvpx-vp9', '-b:v', '300k', '-threads', '1', '-pix_fmt', 'yuv444p']),
  video('vp9-10bit.mkv', 'VP9 profile 2, yuv420p10le, mkv', [...SRC(), '-c:v', 'libvpx-vp9', '-b:v', '300k', '-threads', '1', '-pix_fmt', 'yuv420p10le']),
  video('vp9-alpha.webm', 'VP9 with an alpha channel (yuva420p)', [...SRC(), '-vf', 'format=yuva420p', '-c:v', 'libvpx-vp9', '-b:v', '300k', '-threads', '1']),
  // AV1: no decoder in this ffmpeg.wasm build; the browser decodes it (src/decode/webcodecs.ts)
  video('av1.mkv', 'AV1 (libaom) 8-bit in Matroska, decoded by the browser', [...SRC(), ...AOM]),
  video('av1-10bit.mp4', 'AV1 10-bit (yuv420p10le) in mp4, decoded by the browser', [...SRC(), ...AOM, '-pix_fmt', 'yuv420p10le']),
  video('av1.webm', 'AV1 in WebM, decoded by the browser', [...SRC(), ...AOM]),
  video('av1-444.mkv', 'AV1 High profile, yuv444p, decoded by the browser', [...SRC(), ...AOM, '-pix_fmt', 'yuv444p']),
  video('av1-bt709-fullrange.mkv', 'AV1 tagged BT.709, full range, decoded by the browser', [
    ...SRC(),
    ...AOM,
    '-color_range',
    'pc',
    '-colorspace',
    'bt709',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
  ]),
  video('av1-odd-rotated.mp4', 'AV1, odd size 65×49, rotation metadata 90°, decoded by the browser', [
    ...SRC(),
    '-vf',
    'scale=65:49',
    ...AOM,
    '-metadata:s:v:0',
    'rotate=90',
  ]),
  video('mpeg4.avi', 'MPEG-4 Part 2 in AVI', [...SRC(), '-c:v', 'mpeg4', '-q:v', '3']),
  video('mpeg2.mpg', 'MPEG-2 video in an MPEG program stream', [...SRC(), '-c:v', 'mpeg2video', '-q:v', '3']),
  video('mjpeg.avi', 'Motion JPEG in AVI (full-range yuvj422p)', [...SRC(), '-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj422p']),
  video('prores.mov', 'ProRes 422 HQ, yuv422p10le, mov', [...SRC(), '-c:v', 'prores_ks', '-profile:v', '3']),
  video('theora.ogv', 'Theora in Ogg', [...SRC(), '-c:v', 'libtheora', '-q:v', '7']),
  video('wmv2.wmv', 'Windows Media Video 8 in ASF', [...SRC(), '-c:v', 'wmv2', '-q:v', '3']),
  video('flv1.flv', 'Sorenson H.263 (FLV1) in FLV', [...SRC(), '-c:v', 'flv', '-q:v', '3']),
  video('h263.3gp', 'H.263 in 3GP (176×144)', [...SRC('176x144'), '-c:v', 'h263', '-q:v', '3']),
  video('ffv1.mkv', 'FFV1 lossless, mkv', [...SRC(), '-c:v', 'ffv1']),
  video('huffyuv.avi', 'HuffYUV lossless, yuv422p', [...SRC(), '-c:v', 'huffyuv', '-pix_fmt', 'yuv422p']),
  video('utvideo.avi', 'Ut Video lossless, rgb', [...SRC(), '-c:v', 'utvideo', '-pix_fmt', 'gbrp']),
  video('raw-bgr24.avi', 'uncompressed bgr24 in AVI', [...SRC(), '-c:v', 'rawvideo', '-pix_fmt', 'bgr24']),
  video('qtrle.mov', 'QuickTime Animation (RLE), rgb24', [...SRC(), '-c:v', 'qtrle']),
  video('cinepak.avi', 'Cinepak in AVI', [...SRC(), '-c:v', 'cinepak']),
  video('animated.gif', 'animated GIF (palette)', [...SRC(), '-c:v', 'gif']),
  video('gray.mkv', 'grey-only pixels (FFV1 gray)', [...SRC(), '-vf', 'format=gray', '-c:v', 'ffv1']),
  // sizes, metadata and timing
  video('odd-size.mkv', 'odd frame size 65×49 (FFV1)', [...SRC(), '-vf', 'scale=65:49', '-c:v', 'ffv1']),
  video('portrait.mp4', 'portrait 72×96', [...SRC('72x96'), ...X264, '-pix_fmt', 'yuv420p']),
  video('tiny.mp4', 'very small frames, 16×16 (upscaled to 256×256)', [...SRC('16x16'), ...X264, '-pix_fmt', 'yuv420p']),
  video('rotated.mp4', 'rotation metadata 90° (displayed portrait)', [...SRC(), ...X264, '-pix_fmt', 'yuv420p', '-metadata:s:v:0', 'rotate=90']),
  video('anamorphic.mp4', 'non-square pixels (SAR 2:1)', [...SRC(), ...X264, '-pix_fmt', 'yuv420p', '-vf', 'setsar=2/1']),
  video('vfr.mkv', 'variable frame rate (irregular timestamps)', [
    ...SRC('96x72', 14),
    '-vf',
    "setpts='N/10/TB+if(gt(N,5),0.05/TB,0)+if(gt(N,9),0.13/TB,0)'",
    '-fps_mode',
    'passthrough',
    ...X264,
    '-pix_fmt',
    'yuv420p',
  ]),
  video('high-fps.mp4', '120 frames per second', [...SRC('96x72', 24, 120), ...X264, '-pix_fmt', 'yuv420p']),
  video('with-audio.mkv', 'video + Opus audio', [
    ...SRC(),
    ...TONE,
    '-map',
    '0:v',
    '-map',
    '1:a',
    ...X264,
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'libopus',
    '-shortest',
  ]),
  video('audio-first.mp4', 'AAC audio as the first stream, then video', [
    ...TONE,
    ...SRC(),
    '-map',
    '0:a',
    '-map',
    '1:v',
    ...X264,
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
  ]),
  video('two-videos.mkv', 'two video streams (the first is used, as ffmpeg does)', [
    ...SRC(),
    ...SRC('64x48'),
    '-map',
    '0:v',
    '-map',
    '1:v',
    ...X264,
    '-pix_fmt',
    'yuv420p',
  ]),
  video('short-5.mp4', '5 frames (streams padded to 9)', [...SRC('96x72', 5), ...X264, '-pix_fmt', 'yuv420p']),
  // not usable
  { file: 'one-frame.mp4', what: 'a single frame', ffmpeg: [...SRC('96x72', 1), ...X264, '-pix_fmt', 'yuv420p'], expect: 'E_TOO_FEW_FRAMES' },
  { file: 'still.png', what: 'a PNG image', ffmpeg: [...SRC('96x72', 1), '-c:v', 'png'], expect: 'E_TOO_FEW_FRAMES' },
  { file: 'audio-only.m4a', what: 'audio only (AAC in m4a)', ffmpeg: [...TONE, '-c:a', 'aac'], expect: 'E_NO_VIDEO_STREAM' },
  { file: 'empty.mp4', what: 'an empty file', ffmpeg: null, make: (p) => writeFileSync(p, ''), expect: 'E_EMPTY_FILE' },
  {
    file: 'random.mp4',
    what: 'random bytes named .mp4',
    ffmpeg: null,
    make: (p) => writeFileSync(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24))),
    expect: 'E_NOT_VIDEO',
  },
  { file: 'text.avi', what: 'a text file named .avi', ffmpeg: null, make: (p) => writeFileSync(p, 'not a video\n'.repeat(50)), expect: 'E_NOT_VIDEO' },
];

/** Makes every corpus file under `dir` (kept between runs: the generators are deterministic). */
export function makeCorpus(dir: string): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  const paths = new Map<string, string>();
  for (const k of CORPUS) {
    const path = join(dir, k.file);
    paths.set(k.file, path);
    if (existsSync(path)) continue;
    const tmp = join(dir, `tmp-${k.file}`);
    if (k.make) k.make(tmp);
    else execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...(k.ffmpeg ?? []), tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (!existsSync(tmp)) throw new Error(`corpus: ${k.file} was not made`);
    renameSync(tmp, path);
  }
  return paths;
}

/** Codec, size and pixel format of the first video stream as native ffprobe reports them, for the table. */
export function describeWithFfprobe(path: string): string {
  try {
    const out = execFileSync(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,pix_fmt,width,height', '-of', 'csv=p=0', path],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return out.trim().split('\n')[0] ?? '';
  } catch {
    return '';
  }
}
