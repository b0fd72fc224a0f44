/**
 * A user's checkpoint → the app's ONNX models: read it with the restricted unpickler, check that it is an
 * InceptionI3d state dict, and build the graph of a dtype. Pure (runs in the worker and in Node).
 */
import { sha256Hex } from '../io/sha256';
import { inspectI3d, loadStateDict, type CheckpointFormat } from './checkpoint';
import { buildI3dOnnx, type ComputeDtype } from './graph/i3d-graph';
import { fromBlob, fromBytes } from './pickle';
import type { I3dInfo, ModelDtype, StateDict } from './types';

export interface CheckedCheckpoint {
  stateDict: StateDict;
  info: I3dInfo;
  format: CheckpointFormat;
  sha256: string;
}

/**
 * Checkpoints up to this size are read into memory in one go (hashing reads them whole anyway): in Chromium every
 * Blob slice read is a round trip to the browser process, and reading an I3D checkpoint's few hundred tensors
 * slice by slice took about 0.6 s of a published-width import. Any I3D checkpoint is far smaller (≈ 50 MB in
 * float32, more with optimizer state); a larger file is read piece by piece, so a big non-checkpoint fails on
 * its first bytes without being read whole.
 */
const READ_WHOLE_BYTES = 512 << 20;

/** Reads and checks a checkpoint (throws the pickle / I3D error codes). */
export async function checkCheckpoint(blob: Blob): Promise<CheckedCheckpoint> {
  const bytes = blob.size <= READ_WHOLE_BYTES ? new Uint8Array(await blob.arrayBuffer()) : null;
  const { stateDict, format } = await loadStateDict(bytes ? fromBytes(bytes) : fromBlob(blob));
  const info = inspectI3d(stateDict);
  return { stateDict, info, format, sha256: await sha256Hex(bytes ?? blob) };
}

/** The ONNX model of `dtype` (and arithmetic `compute`, fp32 unless asked) for a checked checkpoint. */
export function convertCheckpoint(c: CheckedCheckpoint, dtype: ModelDtype, compute: ComputeDtype = 'fp32'): Uint8Array {
  return buildI3dOnnx(c.stateDict, c.info, { dtype, compute, sourceSha256: c.sha256 });
}
