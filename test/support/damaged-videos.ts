/**
 * Damaged and odd videos made at test time from a small testsrc2 clip (native ffmpeg): what the decode must handle
 * like native ffmpeg does. Deterministic (x264 on one thread, bytes flipped with a fixed seed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './prng';

export interface DamagedVideos {
  /** 320×240, 10 fps, 40 frames of H.264, moov at the front (faststart). */
  clean: string;
  /** `clean` cut at 60% of its size: the moov lists 40 frames, the mdat holds about half of them. */
  truncated: string;
  /** `clean` with bits flipped in the middle third of its mdat (fixed seed): decodes with concealed errors. */
  flipped: string;
  /** `clean` cut a few hundred bytes into its mdat: a readable index, no complete frame. */
  truncatedEarly: string;
  /** 256×224, 10 frames of AV1 (libaom) in Matroska: ffmpeg.wasm's build has no AV1 decoder (the browser decodes it). */
  av1: string;
}

const ff = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);

/** The start of the mdat box's payload and the file's end. */
function mdatRange(bytes: Uint8Array): [number, number] {
  const at = Buffer.from(bytes).indexOf('mdat');
  if (at < 4) throw new Error('no mdat box');
  return [at + 4, bytes.length];
}

/** Flips `count` single bits at seeded positions in the middle third of [from, to). */
export function flipBits(bytes: Uint8Array, from: number, to: number, count: number, seed: number): Uint8Array {
  const out = bytes.slice();
  const rand = mulberry32(seed);
  const third = (to - from) / 3;
  for (let i = 0; i < count; i++) {
    const p = Math.floor(from + third + rand() * third);
    out[p] ^= 1 << Math.floor(rand() * 8);
  }
  return out;
}

export function makeDamagedVideos(dir: string): DamagedVideos {
  mkdirSync(dir, { recursive: true });
  const v: DamagedVideos = {
    clean: join(dir, 'clean.mp4'),
    truncated: join(dir, 'truncated-tail.mp4'),
    flipped: join(dir, 'bit-flipped.mp4'),
    truncatedEarly: join(dir, 'truncated-early.mp4'),
    av1: join(dir, 'av1.mkv'),
  };
  if (!existsSync(v.clean)) {
    const src = join(dir, 'src.mp4');
    ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-frames:v', '40', '-c:v', 'libx264', '-threads', '1', '-g', '10', '-pix_fmt', 'yuv420p', src]);
    ff(['-i', src, '-c', 'copy', '-movflags', '+faststart', v.clean]);
  }
  const clean = new Uint8Array(readFileSync(v.clean));
  const [from, to] = mdatRange(clean);
  if (from > clean.length * 0.2) throw new Error('the clean file should have its moov at the front');
  writeFileSync(v.truncated, clean.subarray(0, Math.floor(clean.length * 0.6)));
  writeFileSync(v.flipped, flipBits(clean, from, to, 40, 1234));
  writeFileSync(v.truncatedEarly, clean.subarray(0, from + 200));
  if (!existsSync(v.av1)) {
    ff(['-f', 'lavfi', '-i', 'testsrc2=size=256x224:rate=10', '-frames:v', '10', '-c:v', 'libaom-av1', '-cpu-used', '8', '-threads', '1', v.av1]);
  }
  return v;
}
