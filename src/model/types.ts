/**
 * Shared vocabulary of the model module: tensors read from a checkpoint, I3D facts,
 * and the dtype / device names used everywhere else in the app.
 */

/** Element types a PyTorch state dict can hold that we accept. */
export type TensorDtype = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

/** One tensor of a state dict, materialised as a C-contiguous typed array. */
export interface Tensor {
  dtype: TensorDtype;
  shape: number[];
  /** Float32Array for float tensors (float16/float64 are converted), BigInt64Array for int64, … */
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;
}

/** Keys as in the checkpoint (after stripping a DataParallel `module.` prefix). */
export type StateDict = Map<string, Tensor>;

export type Modality = 'rgb' | 'flow';

/** Model weight/compute variants. `fp32` is the reference. */
export const MODEL_DTYPES = ['fp32', 'fp16', 'q8'] as const;
export type ModelDtype = (typeof MODEL_DTYPES)[number];

/** Execution devices, in fallback order. */
export const DEVICES = ['webgpu', 'wasm'] as const;
export type Device = (typeof DEVICES)[number];

export interface I3dInfo {
  modality: Modality;
  /** 3 for RGB, 2 for flow. */
  inChannels: number;
  /** Number of classes of the `logits` layer (400 Kinetics, 157 Charades, or any). */
  numClasses: number;
  /** 1 for the published widths; 8 means every channel width divided by 8 (test models). */
  widthDivisor: number;
}
