/** Native ffmpeg (Debian) decode with the app's canonical arguments, for parity tests. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { canonicalArgs } from '../../src/decode/filter';

export function nativeFrameHashes(video: string, width: number, height: number, fps?: number): string[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', ...canonicalArgs(video, 'pipe:1', { fps })], {
    maxBuffer: 1 << 30,
  });
  const size = width * height * 3;
  if (raw.length % size !== 0) throw new Error(`native output ${raw.length} bytes is not a whole number of ${width}x${height} frames`);
  const hashes: string[] = [];
  for (let off = 0; off < raw.length; off += size) {
    hashes.push(
      createHash('sha256')
        .update(raw.subarray(off, off + size))
        .digest('hex'),
    );
  }
  return hashes;
}
