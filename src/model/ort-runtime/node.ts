/**
 * onnxruntime-web entry for Node (tests, CLIs): `onnxruntime-web` resolves to its Node build, which
 * runs the WASM backend only. Selected by the `#ort-runtime` import condition `node` (package.json).
 * Import this only through src/model/ort.ts.
 */
import type { Device } from '../types';
import type { OrtModule } from './types';

export async function loadOrtRuntime(device: Device): Promise<OrtModule | null> {
  if (device !== 'wasm') return null;
  return import('onnxruntime-web');
}
