/**
 * onnxruntime-web entry for Node (tests, CLIs): `onnxruntime-web` resolves to its Node build, which
 * runs the WASM backend only. Where a WebGPU implementation has been installed as `navigator.gpu`
 * (Dawn's dawn.node, as tools/bench/gpu.ts does), `webgpu` loads `onnxruntime-web/webgpu` on it.
 * Selected by the `#ort-runtime` import condition `node` (package.json).
 * Import this only through src/model/ort.ts.
 */
import type { Device } from '../types';
import type { OrtModule } from './types';

// Unbundled Node (tsx) has no build-time define of __TEST_HOOKS__, which ../runtime.ts reads: no test hook here.
(globalThis as { __TEST_HOOKS__?: boolean }).__TEST_HOOKS__ ??= false;

export async function loadOrtRuntime(device: Device): Promise<OrtModule | null> {
  if (device === 'webgpu') return (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu ? import('onnxruntime-web/webgpu') : null;
  return import('onnxruntime-web');
}
