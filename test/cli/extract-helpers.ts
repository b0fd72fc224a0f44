/** Shared by the `npm run extract` tests: tiny videos made with ffmpeg, the CLI as a child process, output bytes. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ensureCheckpoints } from '../support/reference';
import { ROOT } from '../support/paths';

/** A testsrc2 clip (mp4/mkv/mov by the extension); different `seed`s give different pictures. */
export function makeVideo(path: string, frames = 8, seed = 0): void {
  mkdirSync(dirname(path), { recursive: true });
  const size = seed % 2 === 0 ? '256x224' : '224x256';
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=10`,
    '-ss',
    String(seed / 10),
    '-frames:v',
    String(frames),
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** The arguments every test run uses: the slim random-weight RGB checkpoint, WASM, fp32 (seconds per video). */
export async function rgbArgs(): Promise<string[]> {
  const set = await ensureCheckpoints({ divisor: 8 });
  return ['--rgb', set.i3d('rgb', 400).path, '--streams', 'rgb', '--backend', 'wasm', '--dtype', 'fp32'];
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs `npm run extract -- ARGS` (tsx directly); never rejects. */
export function extract(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'tools/cli/extract.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ status, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** Every file under `dir` with this extension: relative path → bytes. */
export function filesUnder(dir: string, ext: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(ext)) out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

export const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
