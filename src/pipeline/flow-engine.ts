/**
 * The flow stream's engine for one video: TV-L1 on consecutive frames (grey, full decoded size), then clipped
 * and cropped into model entries. The CPU path runs a pool of flow workers (pairs in parallel).
 */
import type { FlowEncoding } from '../flow/postprocess';
import { createBrowserFlowPool, type FlowPool } from '../flow/pool';
import { rgbToGray } from '../flow/gray';
import type { Capabilities } from '../platform/capabilities';
import type { FlowEngine } from './extract';
import { flowEntry } from './flow-entry';

export interface OpenFlowEngine extends FlowEngine {
  /** `cpu` or `webgpu`, with why it is not the first choice when it fell back. */
  readonly backend: string;
  close(): void;
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
export function cpuFlowEngine(pool: FlowPool, mode: FlowEncoding): OpenFlowEngine {
  const grey = greyOfPairs();
  return {
    backend: 'cpu',
    parallelism: pool.size,
    async entry(prev, next, width, height) {
      const [g0, g1] = grey(prev, next, width, height);
      const r = await pool.computePair(g0, g1, width, height);
      return flowEntry(r.flow, width, height, mode);
    },
    close: () => pool.terminate(),
  };
}

export async function openFlowEngine(preference: 'auto' | 'cpu' | 'webgpu', caps: Capabilities, mode: FlowEncoding = 'float'): Promise<OpenFlowEngine> {
  void preference;
  return cpuFlowEngine(createBrowserFlowPool(Math.max(1, caps.cores)), mode);
}
