/**
 * The flow stream's engine for one video: TV-L1 on consecutive frames (grey, full decoded size), each raw flow
 * turned into a model entry by the injected `toEntry` (the pipeline's clip, encoding and crop). WebGPU when chosen (or, with `auto`, when there is a hardware adapter), pairs
 * batched into one submission; the CPU path — a pool of flow workers, pairs in parallel — otherwise, and for
 * the rest of the video when the GPU device is lost or the WebGPU path cannot start.
 */
import { AppError } from '../errors';
import type { FaultKind } from '../faults';
import { resolveDevice, threadCount, type Capabilities } from '../platform/policy';
import { createBrowserFlowPool, type FlowPool } from './pool';
import { rgbToGray } from './gray';
import { createWebGpuTvl1, type WebGpuTvl1 } from './webgpu/tvl1-webgpu';
import type { FlowEngine, ToEntry } from './engine-api';

export type { FlowEngine, ToEntry };

export interface OpenFlowEngine extends FlowEngine {
  /** `cpu` or `webgpu` (or what happened, when it fell back). */
  readonly backend: string;
  close(): void;
  /** Test builds: destroys the GPU device the engine uses (no-op on the CPU path). */
  loseGpuForTest?(): void;
  /** Test builds: the flow worker that takes the next pair fails this way (CPU path). */
  faultForTest?(kind: FaultKind): void;
}

/** Grey conversion of consecutive frames, each frame converted once (it is `next` of one pair, `prev` of the next). */
function greyOfPairs() {
  let lastRgb: Uint8Array | null = null;
  let lastGrey: Uint8Array | null = null;
  return (prev: Uint8Array, next: Uint8Array, width: number, height: number): [Uint8Array, Uint8Array] => {
    const g0 = prev === lastRgb && lastGrey ? lastGrey : rgbToGray(prev, width, height);
    const g1 = rgbToGray(next, width, height);
    lastRgb = next;
    lastGrey = g1;
    return [g0, g1];
  };
}

/** TV-L1 on a pool of CPU workers. */
export function cpuFlowEngine(pool: FlowPool, toEntry: ToEntry, why?: string): OpenFlowEngine {
  const grey = greyOfPairs();
  let kernels: string | null = null;
  let fault: FaultKind | undefined;
  let workMs = 0;
  const engine: OpenFlowEngine = {
    /** e.g. `cpu (WebAssembly SIMD kernels)`, plus why the CPU path runs when WebGPU was wanted. */
    get backend() {
      const parts = [kernels === 'wasm' ? 'WebAssembly SIMD kernels' : kernels === 'ts' ? 'TypeScript kernels' : null, why ?? null].filter(Boolean);
      return parts.length > 0 ? `cpu (${parts.join('; ')})` : 'cpu';
    },
    parallelism: pool.size,
    async entry(prev, next, width, height) {
      const [g0, g1] = grey(prev, next, width, height);
      const f = fault;
      fault = undefined;
      const r = await pool.computePair(g0, g1, width, height, undefined, __TEST_HOOKS__ ? f : undefined);
      kernels = r.kernels;
      workMs += r.ms;
      return toEntry(r.flow, width, height);
    },
    work: () => ({ seconds: workMs / 1000, workers: pool.size }),
    close: () => pool.terminate(),
  };
  if (__TEST_HOOKS__) engine.faultForTest = (kind) => (fault = kind);
  return engine;
}

interface Pending {
  prev: Uint8Array;
  next: Uint8Array;
  g0: Uint8Array;
  g1: Uint8Array;
  width: number;
  height: number;
  resolve: (e: Float32Array) => void;
  reject: (e: unknown) => void;
}

/** TV-L1 on WebGPU, pairs collected into batches; the CPU engine takes over for good if the device is lost. */
export function webGpuFlowEngine(tv: WebGpuTvl1, toEntry: ToEntry, makeCpu: () => OpenFlowEngine): OpenFlowEngine {
  const grey = greyOfPairs();
  let queue: Pending[] = [];
  let scheduled = false;
  let lostReason: string | null = null;
  let cpu: OpenFlowEngine | null = null;
  const fallback = () => (cpu ??= makeCpu());
  void tv.lost.then((reason) => {
    lostReason = reason || 'device lost';
  });

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.splice(0, tv.maxBatch);
      const { width, height } = batch[0];
      tv.calcBatch(
        batch.map((p) => ({ gray0: p.g0, gray1: p.g1 })),
        width,
        height,
      ).then(
        (results) => batch.forEach((p, i) => p.resolve(toEntry(results[i].flow, width, height))),
        (e: unknown) => {
          if (!(e instanceof AppError && e.code === 'E_GPU_LOST')) return batch.forEach((p) => p.reject(e));
          lostReason ??= e.detail || 'device lost';
          for (const p of batch) fallback().entry(p.prev, p.next, p.width, p.height).then(p.resolve, p.reject);
        },
      );
    }
  };

  const engine: OpenFlowEngine = {
    get backend() {
      return lostReason ? `cpu (WebGPU device lost: ${lostReason})` : 'webgpu';
    },
    parallelism: tv.maxBatch,
    entry(prev, next, width, height) {
      if (lostReason) return fallback().entry(prev, next, width, height);
      const [g0, g1] = grey(prev, next, width, height);
      return new Promise<Float32Array>((resolve, reject) => {
        queue.push({ prev, next, g0, g1, width, height, resolve, reject });
        if (queue.length >= tv.maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 0);
        }
      });
    },
    close() {
      queue = [];
      tv.destroy();
      cpu?.close();
    },
  };
  if (__TEST_HOOKS__) engine.loseGpuForTest = () => tv.destroy();
  return engine;
}

/** Where TV-L1 runs: `auto` = WebGPU on a hardware adapter (the same policy as the models'), else the CPU workers. */
export type FlowBackend = 'auto' | 'cpu' | 'webgpu';

export async function openFlowEngine(preference: FlowBackend, caps: Capabilities, toEntry: ToEntry): Promise<OpenFlowEngine> {
  const makeCpu = (why?: string) => cpuFlowEngine(createBrowserFlowPool(threadCount(caps.cores)), toEntry, why);
  const device = preference === 'cpu' ? 'wasm' : resolveDevice(preference, caps);
  if (device !== 'webgpu') return makeCpu();
  let tv: WebGpuTvl1 | null;
  try {
    tv = await createWebGpuTvl1();
  } catch (e) {
    return makeCpu(`WebGPU TV-L1 could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!tv) return makeCpu('no WebGPU device');
  return webGpuFlowEngine(tv, toEntry, () => makeCpu('WebGPU device lost'));
}
