/**
 * A user's checkpoint → the app's ONNX models: read it with the restricted unpickler, check that it is an
 * InceptionI3d state dict, and build the graph of a dtype. Pure (runs in the worker and in Node).
 */
import { sha256Hex } from '../io/sha256';
import { inspectI3d, loadStateDict, type CheckpointFormat } from './checkpoint';
import { buildI3dOnnx, type ComputeDtype } from './graph/i3d-graph';
import { fromBlob } from './pickle';
import type { I3dInfo, ModelDtype, StateDict } from './types';

export interface CheckedCheckpoint {
  stateDict: StateDict;
  info: I3dInfo;
  format: CheckpointFormat;
  sha256: string;
}

/** Reads and checks a checkpoint (throws the pickle / I3D error codes). */
export async function checkCheckpoint(blob: Blob): Promise<CheckedCheckpoint> {
  const { stateDict, format } = await loadStateDict(fromBlob(blob));
  const info = inspectI3d(stateDict);
  return { stateDict, info, format, sha256: await sha256Hex(blob) };
}

/** The ONNX model of `dtype` (and arithmetic `compute`, fp32 unless asked) for a checked checkpoint. */
export function convertCheckpoint(c: CheckedCheckpoint, dtype: ModelDtype, compute: ComputeDtype = 'fp32'): Uint8Array {
  return buildI3dOnnx(c.stateDict, c.info, { dtype, compute, sourceSha256: c.sha256 });
}
