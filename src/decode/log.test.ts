/** ffmpeg's decode log → warnings by kind, and the codec a build cannot decode (lines as ffmpeg.wasm prints them). */
import { describe, expect, it } from 'vitest';
import { codecLabel, collectWarnings, normaliseLogLine, undecodableCodec, unsupportedCodecDetail } from './log';

describe('collectWarnings', () => {
  it('groups equal kinds: addresses, numbers and the input path removed', () => {
    const lines = [
      '[h264 @ 0xdf3930] [error] error while decoding MB 16 4, bytestream 2155',
      '[h264 @ 0xdf0000] [error] error while decoding MB 4 11, bytestream -3',
      '[warning] /input/flip.mp4: corrupt decoded frame in stream 0',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0xdeef80] [error] stream 0, offset 0x1388d: partial file',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0xdeef80] [error] stream 0, offset 0x14495: partial file',
      '[NULL @ 0xdef980] [error] Invalid NAL unit size (6389 > 891).',
      '[error] Error while decoding stream #0:0: Invalid data found when processing input',
      '[warning] /input/flip.mp4: corrupt decoded frame in stream 0',
      'Consider increasing the value for the analyzeduration',
      '    Last message repeated 3 times',
      'Aborted()',
    ];
    expect(collectWarnings(lines, '/input/flip.mp4')).toEqual([
      { message: 'h264: error while decoding MB # #, bytestream #', count: 2 },
      { message: 'input: corrupt decoded frame in stream #', count: 2 },
      { message: 'mov,mp4,m4a,3gp,3g2,mj2: stream #, offset #: partial file', count: 2 },
      { message: 'Invalid NAL unit size (# > #).', count: 1 },
      { message: 'Error while decoding stream #:#: Invalid data found when processing input', count: 1 },
    ]);
  });

  it('is empty for a clean decode (no leveled lines)', () => {
    expect(collectWarnings(['frame=   50 fps=0.0', 'Aborted()'])).toEqual([]);
    expect(normaliseLogLine('[info] Stream mapping:')).toBeNull();
  });
});

describe('undecodableCodec', () => {
  it("names AV1 when the build has only FFmpeg's hardware-only AV1 decoder", () => {
    const log = [
      "[av1 @ 0xdf0560] [error] Your platform doesn't suppport hardware accelerated AV1 decoding.",
      '[av1 @ 0xdf0560] [error] Failed to get pixel format.',
    ];
    expect(undecodableCodec(log)).toBe('av1');
    expect(unsupportedCodecDetail('av1', 'Alliance for Open Media AV1, Lavc59 libaom-av1')).toBe(
      'AV1 (Alliance for Open Media AV1, Lavc59 libaom-av1) — this build of ffmpeg.wasm cannot decode it',
    );
  });

  it('names a codec without any decoder', () => {
    expect(undecodableCodec(['Decoder (codec hevc) not found for input stream #0:0'])).toBe('hevc');
    expect(codecLabel('hevc')).toBe('HEVC (H.265)');
  });

  it('says nothing for damaged but decodable input', () => {
    expect(undecodableCodec(['[h264 @ 0xdf3930] [error] Invalid NAL unit size (6389 > 891).', 'partial file'])).toBeNull();
  });
});
