/** Makes the bad-input files the end-to-end tests drop on the app. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { BAD_INPUTS, CACHE, FIXTURE, TINY_VIDEO } from './fixtures';

export default function globalSetup(): void {
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(BAD_INPUTS.notVideo, 'These are my notes, not a video.\n'.repeat(100));
  const mp4 = readFileSync(FIXTURE);
  writeFileSync(BAD_INPUTS.truncated, mp4.subarray(0, Math.floor(mp4.length / 3)));
  writeFileSync(BAD_INPUTS.truncatedEarly, mp4.subarray(0, mp4.indexOf('mdat') + 4 + 200));
  writeFileSync(BAD_INPUTS.empty, new Uint8Array(0));
  if (!existsSync(BAD_INPUTS.audioOnly)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', BAD_INPUTS.audioOnly]);
  }
  if (!existsSync(TINY_VIDEO)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-frames:v', '12', '-pix_fmt', 'yuv420p', TINY_VIDEO]);
  }
}
