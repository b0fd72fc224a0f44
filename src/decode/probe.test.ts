import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHE, FIXTURE } from '../../test/support/paths';
import { canonicalArgs, canonicalFilter, canonicalSize } from './filter';
import { parseProbe, probeArgs } from './probe';

const ffprobe = (file: string, count = false) => execFileSync('ffprobe', probeArgs(file, count), { encoding: 'utf8' });
const dir = resolve(CACHE, 'decode-tests');
const rotated = resolve(dir, 'rotated.mp4');
const portrait = resolve(dir, 'portrait.mp4');
const audio = resolve(dir, 'audio.m4a');

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  ff(['-i', FIXTURE, '-t', '1', '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=202x360:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', portrait]);
  ff(['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', audio]);
});

describe('parseProbe', () => {
  it('reads the fixture: 355 frames, 981/50 fps, 320x240 → 342x256, with audio', () => {
    const m = parseProbe(ffprobe(FIXTURE, true));
    expect(m).toMatchObject({
      width: 320,
      height: 240,
      decodedWidth: 342,
      decodedHeight: 256,
      rotation: 0,
      frameCount: 355,
      packetCount: 355,
      fpsFraction: '981/50',
      codec: 'h264',
      hasAudio: true,
    });
    expect(m.fps).toBeCloseTo(19.62, 2);
    expect(m.duration).toBeCloseTo(18.0438, 3);
  });

  it('applies rotation to the displayed and decoded size', () => {
    const m = parseProbe(ffprobe(rotated));
    expect(m.rotation === 90 || m.rotation === 270).toBe(true);
    expect([m.width, m.height, m.decodedWidth, m.decodedHeight]).toEqual([240, 320, 256, 342]);
  });

  it('says an audio-only file has no video stream', () => {
    expect(() => parseProbe(ffprobe(audio))).toThrow(/E_NO_VIDEO_STREAM/);
  });

  it('says unreadable output is not a video', () => {
    expect(() => parseProbe('not json')).toThrow(/E_NOT_VIDEO/);
    expect(() => parseProbe('{}')).toThrow(/E_NOT_VIDEO/);
  });
});

describe('canonical filter', () => {
  it('is the DESIGN filter string', () => {
    expect(canonicalFilter()).toBe(
      "scale=w='if(lte(iw,ih),256,-2)':h='if(lte(iw,ih),-2,256)':flags=bicubic+accurate_rnd+full_chroma_int+bitexact,format=rgb24",
    );
    expect(canonicalFilter(25)).toMatch(/^fps=25,scale=/);
    expect(() => canonicalFilter(0)).toThrow();
  });

  it.each([
    ['landscape', FIXTURE],
    ['rotated', rotated],
    ['portrait with odd aspect', portrait],
  ])('predicts the size native ffmpeg decodes to (%s)', (_name, file) => {
    const m = parseProbe(ffprobe(file));
    const raw = execFileSync('ffmpeg', ['-v', 'error', ...canonicalArgs(file, 'pipe:1', { maxFrames: 1, muxer: 'ppm' })]);
    const header = raw.subarray(0, 20).toString('latin1').split(/\s+/);
    expect([Number(header[1]), Number(header[2])]).toEqual([m.decodedWidth, m.decodedHeight]);
    expect(canonicalSize(m.width, m.height)).toEqual({ width: m.decodedWidth, height: m.decodedHeight });
  });
});
