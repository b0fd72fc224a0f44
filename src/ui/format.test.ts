import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatFps } from './format';

describe('format', () => {
  it('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(600_000)).toBe('586 KB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB');
  });
  it('duration', () => {
    expect(formatDuration(18.0438)).toBe('0:18.0');
    expect(formatDuration(3725.25)).toBe('1:02:05.3');
    expect(formatDuration(NaN)).toBe('?');
  });
  it('fps', () => {
    expect(formatFps(981 / 50)).toBe('19.62 fps');
    expect(formatFps(NaN)).toBe('? fps');
  });
});
