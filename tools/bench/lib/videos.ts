/** Synthetic test videos made with native ffmpeg (testsrc2, libx264 ultrafast), cached under .cache/bench/. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE } from './env';

export interface SyntheticSpec {
  width: number;
  height: number;
  seconds: number;
  fps: number;
}

export function syntheticVideo(spec: SyntheticSpec): string {
  const dir = join(CACHE, 'videos');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `testsrc2-${spec.width}x${spec.height}-${spec.fps}fps-${spec.seconds}s.mp4`);
  if (existsSync(path)) return path;
  const tmp = `${path}.tmp-${process.pid}.mp4`;
  const src = `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}:duration=${spec.seconds}`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', tmp], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  renameSync(tmp, path);
  return path;
}
