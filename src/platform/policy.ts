/**
 * What the app decides from the browser's capabilities, in one place (pure: the detection is ./capabilities.ts):
 * the device a preference resolves to (models and flow alike) and how many threads an engine uses.
 */

export interface Capabilities {
  webgpu: boolean;
  adapter: string | null;
  /** A CPU-emulated adapter (SwiftShader and the like): it works, about 100× slower than a GPU. */
  softwareAdapter: boolean;
  shaderF16: boolean;
  /** crossOriginIsolated: SharedArrayBuffer and WASM threads. */
  isolated: boolean;
  cores: number;
  /** navigator.deviceMemory (GiB, rounded and capped at 8 by the browser); absent or null where not exposed. */
  deviceMemoryGiB?: number | null;
  storage: { usage: number; quota: number } | null;
}

/** Most threads one engine (the model's WASM threads, the flow worker pool) uses: more only adds memory. */
export const MAX_THREADS = 8;

/** Threads for a machine with `cores` logical cores (1 … MAX_THREADS). */
export function threadCount(cores: number | undefined): number {
  return Math.max(1, Math.min(cores || 1, MAX_THREADS));
}

/** Settings say `auto`, `webgpu` or `wasm`; auto picks WebGPU when a hardware adapter exists. */
export type DevicePreference = 'auto' | 'webgpu' | 'wasm';

export function resolveDevice(pref: DevicePreference, caps: Capabilities): 'webgpu' | 'wasm' {
  if (pref === 'auto') return caps.webgpu && !caps.softwareAdapter ? 'webgpu' : 'wasm';
  return pref;
}

/** The device `auto` resolves to on these capabilities, and why, in words for the user. */
export interface DeviceChoice {
  device: 'webgpu' | 'wasm';
  reason: string;
}

export function explainAuto(caps: Capabilities): DeviceChoice {
  const device = resolveDevice('auto', caps);
  if (!caps.webgpu) return { device, reason: 'this browser offers no WebGPU adapter' };
  if (caps.softwareAdapter)
    return { device, reason: `the WebGPU adapter (${caps.adapter ?? 'unknown'}) is a software one, emulated on the CPU and far slower than WebAssembly` };
  return { device, reason: `a hardware WebGPU adapter (${caps.adapter ?? 'unknown'}) is available` };
}

/** The capabilities with the policy's answers: what `auto` picks, and the threads an engine uses. */
export interface CapabilityReport extends Capabilities {
  auto: DeviceChoice;
  threads: number;
}

export const capabilityReport = (caps: Capabilities): CapabilityReport => ({ ...caps, auto: explainAuto(caps), threads: threadCount(caps.cores) });
