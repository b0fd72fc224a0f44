/**
 * Test helpers: run the OpenCV reference scripts (tools/reference/) on demand and cache their outputs under
 * .cache/flow/, keyed by a hash of the script, its arguments and its input data (a changed script or input makes
 * a new file). Node only.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NpyArray, type NpyData, decodeNpy, encodeNpy } from '../../src/io/npy';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE_DIR = join(REPO_ROOT, '.cache', 'flow');
export const FIXTURE = join(REPO_ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
const FLOW_SCRIPT = join(REPO_ROOT, 'tools/reference/flow_opencv.py');
const OPS_SCRIPT = join(REPO_ROOT, 'tools/reference/cv_ops.py');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

export function readNpy(path: string): NpyArray {
  return decodeNpy(new Uint8Array(readFileSync(path))); // a plain copy: Node Buffers are views into a pool
}

export function writeNpy(path: string, data: NpyData, shape: number[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeNpy(data, shape));
}

export function hashOf(...parts: Array<string | Uint8Array | NpyData>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex').slice(0, 16);
}

function python(script: string, args: string[]): void {
  execFileSync(PYTHON, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
}

/** Write atomically (tmp + rename) so a cache file is either complete or absent. */
function produce(outPath: string, make: (tmpPath: string) => void): void {
  if (existsSync(outPath)) return;
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp.npy`;
  make(tmp);
  renameSync(tmp, outPath);
}

export interface GrayStack {
  data: Uint8Array;
  n: number;
  height: number;
  width: number;
}

/** OpenCV DualTVL1 flow (n−1, H, W, 2) for a stack of grey frames, optionally with overridden parameters. */
export function opencvFlowForFrames(name: string, frames: GrayStack, params: Record<string, number> = {}): Float32Array {
  const paramArgs = Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const key = hashOf(readFileSync(FLOW_SCRIPT), JSON.stringify([frames.n, frames.height, frames.width, paramArgs]), frames.data);
  const framesPath = join(CACHE_DIR, `${name}-${key}-frames.npy`);
  const flowPath = join(CACHE_DIR, `${name}-${key}-flow.npy`);
  produce(flowPath, (tmp) => {
    writeNpy(framesPath, frames.data, [frames.n, frames.height, frames.width]);
    python(FLOW_SCRIPT, ['--frames', framesPath, '--out', tmp, ...paramArgs]);
  });
  return readNpy(flowPath).data as Float32Array;
}

/** OpenCV flow and the grey frames it used, for the first `maxFrames` frames of a video decoded with `filter`. */
export function opencvFlowForVideo(video: string, filter: string, maxFrames: number): { flow: NpyArray; gray: NpyArray } {
  const key = hashOf(readFileSync(FLOW_SCRIPT), filter, String(maxFrames), readFileSync(video));
  const flowPath = join(CACHE_DIR, `video-${key}-flow.npy`);
  const grayPath = join(CACHE_DIR, `video-${key}-gray.npy`);
  produce(flowPath, (tmp) => {
    python(FLOW_SCRIPT, ['--video', video, '--filter', filter, '--max-frames', String(maxFrames), '--out', tmp, '--gray-out', grayPath]);
  });
  return { flow: readNpy(flowPath), gray: readNpy(grayPath) };
}

export interface CvJob {
  op: 'resize_factor' | 'resize_size' | 'remap_cubic' | 'median' | 'gray_all_colours';
  [arg: string]: unknown;
}

/**
 * Run OpenCV operations (tools/reference/cv_ops.py) on float32 inputs; returns each job's output. Inputs are given
 * as arrays and written to the cache; everything is keyed by one hash of the script and all inputs.
 */
export function opencvOps(name: string, jobs: Array<{ job: CvJob; inputs: Record<string, { data: NpyData; shape: number[] }> }>): NpyArray[] {
  const parts: Array<string | NpyData | Uint8Array> = [readFileSync(OPS_SCRIPT), JSON.stringify(jobs.map((j) => j.job))];
  for (const j of jobs) for (const [k, v] of Object.entries(j.inputs)) parts.push(k, JSON.stringify(v.shape), v.data);
  const key = hashOf(...parts);
  const outPaths = jobs.map((_, i) => join(CACHE_DIR, `${name}-${key}-out${i}.npy`));
  if (!outPaths.every((p) => existsSync(p))) {
    const spec = jobs.map((j, i) => {
      const job: Record<string, unknown> = { ...j.job, out: `${outPaths[i]}.tmp.npy` };
      for (const [k, v] of Object.entries(j.inputs)) {
        const p = join(CACHE_DIR, `${name}-${key}-in${i}-${k}.npy`);
        writeNpy(p, v.data, v.shape);
        job[k] = p;
      }
      return job;
    });
    const specPath = join(CACHE_DIR, `${name}-${key}-jobs.json`);
    writeFileSync(specPath, JSON.stringify(spec));
    python(OPS_SCRIPT, [specPath]);
    outPaths.forEach((p) => renameSync(`${p}.tmp.npy`, p));
  }
  return outPaths.map((p) => readNpy(p));
}

/** End-point error statistics of `a` against the reference `b` (both H×W×2 interleaved). */
export function epeStats(a: Float32Array, b: Float32Array): { mean: number; p999: number; max: number; exact: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  const n = a.length / 2;
  const e = new Float64Array(n);
  let sum = 0;
  let exact = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.hypot(a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
    e[i] = v;
    sum += v;
    if (a[2 * i] === b[2 * i] && a[2 * i + 1] === b[2 * i + 1]) exact++;
  }
  e.sort();
  return { mean: sum / n, p999: e[Math.min(n - 1, Math.ceil(0.999 * n) - 1)], max: e[n - 1], exact: exact / n };
}
