/**
 * onnxruntime-web entries for the browser, loaded lazily per device:
 * - `webgpu`: `onnxruntime-web/webgpu`, the native WebGPU EP (the default `onnxruntime-web` entry's
 *   JSEP WebGPU path rejects 5-D pools in NHWC and asymmetric 3-D pads); its wasm is
 *   ort-wasm-simd-threaded.asyncify.wasm.
 * - `wasm`: `onnxruntime-web/wasm`, CPU only; ort-wasm-simd-threaded.wasm.
 * Selected by the `#ort-runtime` import condition `default` (package.json). Import this only
 * through src/model/ort.ts.
 */
import type { Device } from '../types';
import type { OrtModule } from './types';

export async function loadOrtRuntime(device: Device): Promise<OrtModule | null> {
  return device === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm');
}
