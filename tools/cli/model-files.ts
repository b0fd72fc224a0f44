/**
 * Node-side helpers shared by the model CLIs: read a checkpoint or an .onnx made by this app,
 * convert, hash. The conversion itself is the same TypeScript the browser runs.
 */
import { readFileSync } from 'node:fs';
import { checkCheckpoint, convertCheckpoint as convertChecked } from '../../src/model/convert';
import { readI3dModelMeta, type ComputeDtype, type I3dModelMeta } from '../../src/model/graph/i3d-graph';
import { MODEL_DTYPES, type ModelDtype } from '../../src/model/types';

export function parseDtype(value: string | undefined, fallback: ModelDtype = 'fp32'): ModelDtype {
  if (value === undefined) return fallback;
  if (!(MODEL_DTYPES as readonly string[]).includes(value)) throw new Error(`--dtype must be one of ${MODEL_DTYPES.join(', ')}, got ${value}`);
  return value as ModelDtype;
}

export function parseCompute(value: string | undefined): ComputeDtype {
  if (value === undefined || value === 'fp32' || value === 'fp16') return value ?? 'fp32';
  throw new Error(`--compute must be fp32 or fp16, got ${value}`);
}

export interface ConvertedModel {
  onnx: Uint8Array;
  meta: I3dModelMeta;
  sourceSha256: string;
  /** 'legacy' | 'zip' for a checkpoint, 'onnx' for a ready model. */
  format: string;
}

/** Checkpoint bytes → ONNX model bytes (the app's own conversion, src/model/convert.ts). */
export async function convertCheckpoint(checkpoint: Uint8Array, dtype: ModelDtype, compute: ComputeDtype = 'fp32'): Promise<ConvertedModel> {
  const checked = await checkCheckpoint(new Blob([checkpoint as Uint8Array<ArrayBuffer>]));
  const onnx = convertChecked(checked, dtype, compute);
  return { onnx, meta: readI3dModelMeta(onnx), sourceSha256: checked.sha256, format: checked.format };
}

/** A path to a checkpoint (converted with `dtype`) or to an .onnx made by this app (used as is). */
export async function loadModelFile(path: string, dtype: ModelDtype | undefined): Promise<ConvertedModel> {
  const bytes = new Uint8Array(readFileSync(path));
  if (path.toLowerCase().endsWith('.onnx')) {
    const meta = readI3dModelMeta(bytes);
    if (dtype !== undefined && dtype !== meta.dtype) throw new Error(`${path} is a ${meta.dtype} model; --dtype ${dtype} applies to checkpoints only`);
    return { onnx: bytes, meta, sourceSha256: meta.sourceSha256, format: 'onnx' };
  }
  return convertCheckpoint(bytes, dtype ?? 'fp32');
}
