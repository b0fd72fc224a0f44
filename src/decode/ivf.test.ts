import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE } from '../../test/support/paths';
import { IvfSplitter, type IvfPacket } from './ivf';

/** An AV1 stream copied out to IVF by native ffmpeg, as the app's ffmpeg.wasm does (src/decode/webcodecs.ts). */
function ivfFile(): Uint8Array {
  const dir = resolve(CACHE, 'ivf-test');
  mkdirSync(dir, { recursive: true });
  const mkv = join(dir, 'a.mkv');
  const ivf = join(dir, 'a.ivf');
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=1', '-c:v', 'libaom-av1', '-cpu-used', '8', '-threads', '1', mkv]);
  ff(['-i', mkv, '-c:v', 'copy', '-f', 'ivf', ivf]);
  return new Uint8Array(readFileSync(ivf));
}

function split(bytes: Uint8Array, chunk: number): { splitter: IvfSplitter; packets: IvfPacket[] } {
  const packets: IvfPacket[] = [];
  const splitter = new IvfSplitter((p) => packets.push(p));
  for (let at = 0; at < bytes.length; at += chunk) splitter.push(bytes.subarray(at, at + chunk));
  return { splitter, packets };
}

describe('IvfSplitter', () => {
  const bytes = ivfFile();

  it('reads the header and every packet, whatever the chunk sizes', () => {
    const whole = split(bytes, bytes.length);
    expect(whole.splitter.header).toMatchObject({ fourcc: 'AV01', width: 64, height: 48 });
    expect(whole.packets).toHaveLength(10);
    expect(whole.splitter.pending).toBe(0);
    // the packets tile the file after the 32-byte header, each behind its 12-byte frame header
    expect(32 + whole.packets.reduce((n, p) => n + 12 + p.data.length, 0)).toBe(bytes.length);
    expect(whole.packets.map((p) => p.pts)).toEqual([...whole.packets.map((p) => p.pts)].sort((a, b) => a - b));
    for (const chunk of [1, 7, 12, 33, 500]) {
      const { packets, splitter } = split(bytes, chunk);
      expect(
        packets.map((p) => [p.pts, Buffer.from(p.data).toString('hex')]),
        `chunks of ${chunk}`,
      ).toEqual(whole.packets.map((p) => [p.pts, Buffer.from(p.data).toString('hex')]));
      expect(splitter.pending).toBe(0);
    }
  });

  it('keeps an incomplete last frame pending and refuses what is not IVF', () => {
    const { packets, splitter } = split(bytes.subarray(0, bytes.length - 3), 64);
    expect(packets).toHaveLength(9);
    expect(splitter.pending).toBeGreaterThan(0);
    expect(() => new IvfSplitter(() => undefined).push(new Uint8Array(40))).toThrow(/not an IVF stream/);
  });
});
