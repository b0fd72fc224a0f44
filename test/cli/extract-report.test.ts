/** The terminal status line of `npm run extract` (videos done/total, frames/s, ETA, failures, the latest progress). */
import { describe, expect, it } from 'vitest';
import { formatDuration, statusLine } from '../../tools/cli/extract/report';

describe('extract status line', () => {
  it('formats durations for people', () => {
    expect([NaN, Infinity, -1, 0, 42.4, 59.4, 60, 725, 3599, 3600, 11_100].map(formatDuration)).toEqual([
      '?',
      '?',
      '?',
      '0 s',
      '42 s',
      '59 s',
      '1 min',
      '12 min',
      '1 h 00 min',
      '1 h 00 min',
      '3 h 05 min',
    ]);
  });

  it('says videos done of the total, frames/s and the ETA from the mean time per video, and failures', () => {
    expect(statusLine({ done: 0, total: 10, frames: 0, failures: 0, seconds: 0 })).toBe('0/10 videos, 0.0 frames/s, ETA ?');
    expect(statusLine({ done: 4, total: 10, frames: 1000, failures: 0, seconds: 80 })).toBe('4/10 videos, 12.5 frames/s, ETA 2 min');
    expect(statusLine({ done: 3, total: 10, frames: 300, failures: 1, seconds: 30 })).toBe('3/10 videos, 10.0 frames/s, ETA 1 min, 1 failed');
    expect(statusLine({ done: 10, total: 10, frames: 900, failures: 2, seconds: 90 })).toBe('10/10 videos, 10.0 frames/s, ETA 0 s, 2 failed');
  });

  it('shows the latest progress after the status, cut to the terminal width so that it never wraps', () => {
    const p = { done: 1, total: 2, frames: 50, failures: 0, seconds: 10 };
    const latest = 'a/clip.mp4: decoded 120/300, flow 119, rgb 3/37';
    expect(statusLine(p, latest)).toBe(`1/2 videos, 5.0 frames/s, ETA 10 s | ${latest}`);
    const cut = statusLine(p, latest, 40);
    expect(cut).toHaveLength(39);
    expect(cut).toBe('1/2 videos, 5.0 frames/s, ETA 10 s | a…');
  });
});
