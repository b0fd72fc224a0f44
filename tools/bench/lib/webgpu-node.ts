/**
 * WebGPU in Node through Dawn (the `webgpu` npm package's dawn.node), shared by tools/bench/flow-webgpu-node.ts
 * and tools/bench/gpu.ts: loading Dawn and installing its globals and `navigator.gpu` (what onnxruntime-web's
 * WebGPU EP and src/flow/webgpu expect), the grey or RGB frames they measure on, and the WebGPU TV-L1 timing loop.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { rgbToGray } from '../../../src/flow/gray';
import type { FlowPair, WebGpuTvl1 } from '../../../src/flow/webgpu/tvl1-webgpu';
import { decodeNpy } from '../../../src/io/npy';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Dawn from `path` (a dawn.node file), else the `webgpu` npm package (a dev dependency). */
export async function loadDawn(path: string | undefined): Promise<Dawn> {
  if (path) return createRequire(import.meta.url)(resolve(path)) as Dawn;
  const name = 'webgpu'; // a variable: neither bundlers nor the type checker follow it
  return (await import(name)) as Dawn;
}

type WriteBuffer = (buffer: GPUBuffer, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number) => void;

/**
 * Installs Dawn's WebGPU globals and `navigator.gpu`, and returns the GPU. Dawn's `writeBuffer` refuses views of a
 * SharedArrayBuffer (onnxruntime-web's threaded WASM memory): such data is copied first, as browsers accept it.
 */
export function installDawn(dawn: Dawn, flags: string[] = []): GPU {
  Object.assign(globalThis, dawn.globals);
  const queue = (dawn.globals.GPUQueue as { prototype: { writeBuffer: WriteBuffer } }).prototype;
  const write = queue.writeBuffer;
  queue.writeBuffer = function (this: GPUQueue, buffer, offset, data, dataOffset = 0, size) {
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      const bytes = (data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      const count = size ?? data.byteLength / bytes - dataOffset;
      const copy = new Uint8Array(data.buffer, data.byteOffset + dataOffset * bytes, count * bytes).slice();
      return write.call(this, buffer, offset, copy, 0, count * bytes);
    }
    return write.call(this, buffer, offset, data, dataOffset, size);
  };
  const gpu = dawn.create(flags);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

export interface Frames {
  width: number;
  height: number;
  /** Grey (H·W) or rgb24 (H·W·3) frames. */
  frames: Uint8Array[];
}

/** Frames of a (N, H, W) or (N, H, W, 3) uint8 .npy, at most `count`. */
export function readFramesNpy(path: string, count: number): Frames & { channels: number } {
  const a = decodeNpy(new Uint8Array(readFileSync(path)));
  const [n, h, w, c = 1] = a.shape;
  const data = a.data as Uint8Array;
  const size = w * h * c;
  return { width: w, height: h, channels: c, frames: Array.from({ length: Math.min(n, count) }, (_, k) => data.subarray(k * size, (k + 1) * size)) };
}

/** Grey frames from rgb24 ones (OpenCV's conversion, src/flow/gray.ts). */
export function toGray(f: Frames): Frames {
  return { ...f, frames: f.frames.map((g) => rgbToGray(g, f.width, f.height)) };
}

/** Grey frames cropped to w×h (left columns, top rows). */
export function crop(f: Frames, w: number, h: number): Frames {
  if (w > f.width || h > f.height) throw new Error(`size ${w}x${h} is larger than the frames (${f.width}x${f.height})`);
  const frames = f.frames.map((g) => {
    const out = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) out.set(g.subarray(y * f.width, y * f.width + w), y * w);
    return out;
  });
  return { width: w, height: h, frames };
}

/** End-point error of a GPU flow against the CPU one: mean, p99.9, max, and the share of identical pixels. */
export function agreement(gpu: Float32Array, cpu: Float32Array) {
  const n = cpu.length / 2;
  const e = new Float64Array(n);
  let sum = 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    e[i] = Math.hypot(gpu[2 * i] - cpu[2 * i], gpu[2 * i + 1] - cpu[2 * i + 1]);
    sum += e[i];
    if (gpu[2 * i] === cpu[2 * i] && gpu[2 * i + 1] === cpu[2 * i + 1]) same++;
  }
  e.sort();
  return { meanEpe: sum / n, p999Epe: e[Math.min(n - 1, Math.floor(0.999 * n))], maxEpe: e[n - 1], bitExactPixels: same / n };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Consecutive pairs of grey frames. */
export function pairsOf(f: Frames, pairs: number): FlowPair[] {
  if (f.frames.length < pairs + 1) throw new Error(`only ${f.frames.length} frames for ${pairs} pairs`);
  return Array.from({ length: pairs }, (_, k) => ({ gray0: f.frames[k], gray1: f.frames[k + 1] }));
}

/**
 * One untimed warm-up batch of `batch` pairs, then `runs` timed passes over all `input` pairs (calcBatch splits
 * them into batches); the median pass gives pairs/s. Returns the last pass's results for agreement checks.
 */
export async function timeWebGpuFlow(tv: WebGpuTvl1, input: FlowPair[], w: number, h: number, batch: number, runs: number) {
  await tv.calcBatch(input.slice(0, batch), w, h); // warm-up: pipelines, buffers, driver caches
  const seconds: number[] = [];
  let results: Awaited<ReturnType<WebGpuTvl1['calcBatch']>> = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    results = await tv.calcBatch(input, w, h);
    seconds.push((performance.now() - t0) / 1000);
  }
  return { pairsPerSecond: input.length / median(seconds), seconds, results };
}
