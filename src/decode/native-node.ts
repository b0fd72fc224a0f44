/**
 * Decode a video with the native ffmpeg CLI and the canonical filter graph (src/decode/filter.ts, DESIGN.md §3
 * step 1) into rgb24 frames. Node only (CLIs, tests, benchmarks); the app decodes with ffmpeg.wasm and the same
 * filter string.
 */
import { spawn } from 'node:child_process';
import { canonicalArgs } from './filter';

export interface RgbFrames {
  width: number;
  height: number;
  /** One rgb24 buffer (width·height·3 bytes) per decoded frame, in decode order. */
  frames: Uint8Array[];
}

export interface NativeDecodeOptions {
  maxFrames?: number;
  fps?: number;
  /** ffmpeg executable (default `ffmpeg` from PATH). */
  ffmpeg?: string;
}

/** The output frame size ffmpeg reports for its first output stream. */
export function parseOutputSize(stderr: string): { width: number; height: number } | null {
  const at = stderr.indexOf('Output #0');
  if (at < 0) return null;
  const m = /Video: .*?, (\d+)x(\d+)/.exec(stderr.slice(at));
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

export function decodeRgbFrames(path: string, opts: NativeDecodeOptions = {}): Promise<RgbFrames> {
  const args = canonicalArgs(path, 'pipe:1', { fps: opts.fps, maxFrames: opts.maxFrames, muxer: 'rawvideo' });
  return new Promise((resolve, reject) => {
    const proc = spawn(opts.ffmpeg ?? 'ffmpeg', ['-hide_banner', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    proc.stdout.on('data', (b: Buffer) => out.push(b));
    proc.stderr.on('data', (b: Buffer) => err.push(b));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(new Error(`ffmpeg exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const size = parseOutputSize(stderr);
      if (!size) {
        reject(new Error(`could not read the output frame size from ffmpeg: ${stderr.slice(-2000)}`));
        return;
      }
      const all = Buffer.concat(out);
      const frameBytes = size.width * size.height * 3;
      const frames: Uint8Array[] = [];
      for (let o = 0; o + frameBytes <= all.length; o += frameBytes) frames.push(new Uint8Array(all.subarray(o, o + frameBytes)));
      resolve({ ...size, frames });
    });
  });
}
