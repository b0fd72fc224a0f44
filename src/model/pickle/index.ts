/** Restricted reader of PyTorch checkpoints (legacy and zip): nothing in the file is ever executed. */
export { fromBlob, fromBytes, type ByteSource } from './byte-source';
export { openTorchFile, type CheckpointFormat, type TorchFile } from './torch-file';
export { unpickle, DEFAULT_LIMITS, type UnpickleHooks, type UnpickleLimits } from './unpickler';
export { findTorchGlobal, torchHooks } from './torch-globals';
export { PyDict, PyGlobal, PyTuple, StorageRef, TensorRef, typeName, type PyValue } from './values';
