import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FIXTURE } from '../../test/support/paths';
import { canonicalArgs } from './filter';
import { PpmSplitter, type RgbFrame } from './ppm-stream';

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', ...args], { maxBuffer: 1 << 28 });

describe('PpmSplitter', () => {
  const ppm = ffmpeg(canonicalArgs(FIXTURE, 'pipe:1', { maxFrames: 5, muxer: 'ppm' }));
  const raw = ffmpeg(canonicalArgs(FIXTURE, 'pipe:1', { maxFrames: 5 }));

  it.each([1, 7, 4096, 65536, ppm.length])('splits ffmpeg image2pipe output in chunks of %i bytes into the raw frames', (chunk) => {
    const frames: RgbFrame[] = [];
    const s = new PpmSplitter((f) => frames.push(f));
    for (let i = 0; i < ppm.length; i += chunk) s.push(ppm.subarray(i, i + chunk));
    expect(s.idle).toBe(true);
    expect(frames).toHaveLength(5);
    const size = 342 * 256 * 3;
    frames.forEach((f, i) => {
      expect([f.width, f.height]).toEqual([342, 256]);
      expect(Buffer.from(f.data).equals(raw.subarray(i * size, (i + 1) * size))).toBe(true);
    });
  });

  it('reports a partial frame as not idle', () => {
    const s = new PpmSplitter(() => undefined);
    s.push(ppm.subarray(0, 1000));
    expect(s.idle).toBe(false);
  });

  it('rejects what is not a binary PPM', () => {
    const s = new PpmSplitter(() => undefined);
    expect(() => s.push(new TextEncoder().encode('P3\n2 2\n255\n'))).toThrow(/unexpected header/);
    const t = new PpmSplitter(() => undefined);
    expect(() => t.push(new TextEncoder().encode('P6\n2 2\n65535\n'))).toThrow(/unsupported/);
  });
});
