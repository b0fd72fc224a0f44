/**
 * What this browser can do, detected once (in the worker that runs the models): WebGPU adapter and its
 * shader-f16 feature, WASM threads (needs cross-origin isolation), cores, storage quota.
 */
import { adapterName, isSoftwareAdapter } from './adapter';
import type { Capabilities } from './policy';

export { resolveDevice, threadCount, MAX_THREADS, type Capabilities, type DevicePreference } from './policy';

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

let detected: Promise<Capabilities> | null = null;

async function detect(): Promise<Capabilities> {
  const nav = globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }) | undefined;
  const adapter: GpuAdapterLike | null = await Promise.resolve(nav?.gpu?.requestAdapter())
    .then((a) => a ?? null)
    .catch(() => null);
  const info = adapter?.info;
  const name = info ? adapterName(info) || 'unknown adapter' : null;
  let storage: Capabilities['storage'] = null;
  try {
    const est = await nav?.storage?.estimate();
    if (est) storage = { usage: est.usage ?? 0, quota: est.quota ?? 0 };
  } catch {
    storage = null;
  }
  const software = adapter !== null && (adapter.isFallbackAdapter === true || isSoftwareAdapter(info ?? ''));
  return {
    webgpu: adapter !== null,
    adapter: name,
    softwareAdapter: software,
    shaderF16: adapter?.features.has('shader-f16') ?? false,
    isolated: globalThis.crossOriginIsolated === true,
    cores: nav?.hardwareConcurrency ?? 1,
    deviceMemoryGiB: (nav as { deviceMemory?: number } | undefined)?.deviceMemory ?? null,
    storage,
  };
}

export function capabilities(): Promise<Capabilities> {
  detected ??= detect();
  return detected;
}
