/**
 * The one test for a software (CPU-emulated) WebGPU adapter: SwiftShader, llvmpipe/lavapipe, Microsoft Basic
 * Render Driver, or any adapter that calls itself a fallback or "software". Pure.
 */

/** The parts of `GPUAdapterInfo` this reads (all optional, so a plain object or a real `GPUAdapterInfo` both fit). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|basic render|software/i;

/** "vendor architecture device description", skipping empty fields ('' when all are empty). */
export function adapterName(info: AdapterInfoLike): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
}

/** Whether an adapter (its info, or its name as `adapterName` writes it) is a software, CPU-emulated one. */
export function isSoftwareAdapter(info: AdapterInfoLike | string): boolean {
  if (typeof info === 'string') return SOFTWARE.test(info);
  return info.isFallbackAdapter === true || SOFTWARE.test(adapterName(info));
}
