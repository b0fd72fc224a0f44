/**
 * A PyTorch checkpoint → its state dict, and the check that it is a pytorch-i3d InceptionI3d
 * (modality, classes and width divisor inferred from the tensor shapes).
 */
import { AppError } from '../errors';
import { I3D_FEATURE_CHANNELS, SUPPORTED_WIDTH_DIVISORS, i3dLayout, i3dParameterShapes } from './i3d-layout';
import type { ByteSource } from './pickle/byte-source';
import { openTorchFile, type CheckpointFormat } from './pickle/torch-file';
import { PyDict, TensorRef, typeName, type PyValue } from './pickle/values';
import type { I3dInfo, StateDict, Tensor, TensorDtype } from './types';

export type { CheckpointFormat } from './pickle/torch-file';

/** One state-dict entry whose bytes have not been read yet. */
export interface LazyTensor {
  dtype: TensorDtype;
  shape: number[];
  load(): Promise<Tensor>;
}

export interface LazyStateDict {
  format: CheckpointFormat;
  /** Keys without a DataParallel `module.` prefix, in checkpoint order. */
  entries: Map<string, LazyTensor>;
}

/** What `inspectI3d` needs of a tensor: its shape and element type. */
export type TensorShapes = ReadonlyMap<string, { readonly shape: readonly number[]; readonly dtype: TensorDtype }>;

const CONTAINER_KEYS = ['state_dict', 'model_state_dict', 'model', 'net'];
const DATA_PARALLEL_PREFIX = 'module.';

function tensorEntries(d: PyDict): [string, TensorRef][] {
  const out: [string, TensorRef][] = [];
  for (const [k, v] of d.entries.values()) {
    if (typeof k === 'string' && v instanceof TensorRef) out.push([k, v]);
  }
  return out;
}

/** The dict of tensors: the root itself, or one level down under a usual training-checkpoint key. */
function findStateDict(root: PyValue): [string, TensorRef][] {
  if (!(root instanceof PyDict)) throw new AppError('E_NOT_I3D', `the file holds a ${typeName(root)}, not a state dict`);
  const own = tensorEntries(root);
  if (own.length) return own;
  for (const key of CONTAINER_KEYS) {
    const inner = root.get(key);
    if (inner instanceof PyDict) {
      const found = tensorEntries(inner);
      if (found.length) return found;
    }
  }
  throw new AppError('E_NOT_I3D', 'the file holds no tensors');
}

/** Read the pickles of a checkpoint; tensor bytes are read by each entry's `load()`. */
export async function openStateDict(source: ByteSource): Promise<LazyStateDict> {
  const file = await openTorchFile(source);
  const found = findStateDict(file.root);
  const strip = found.every(([k]) => k.startsWith(DATA_PARALLEL_PREFIX));
  const entries = new Map<string, LazyTensor>();
  for (const [rawKey, ref] of found) {
    const key = strip ? rawKey.slice(DATA_PARALLEL_PREFIX.length) : rawKey;
    entries.set(key, {
      dtype: ref.storage.dtype,
      shape: [...ref.shape],
      load: () => file.readTensor(ref),
    });
  }
  return { format: file.format, entries };
}

/** Read a checkpoint's whole state dict (tensors in C order; float16/float64 as float32). */
export async function loadStateDict(source: ByteSource): Promise<{ stateDict: StateDict; format: CheckpointFormat }> {
  const lazy = await openStateDict(source);
  const stateDict: StateDict = new Map();
  for (const [key, t] of lazy.entries) stateDict.set(key, await t.load());
  return { stateDict, format: lazy.format };
}

function listSome(keys: readonly string[], n = 5): string {
  const shown = keys.slice(0, n).join(', ');
  return keys.length > n ? `${shown} and ${keys.length - n} more` : shown;
}

function describeForeign(keys: readonly string[]): string {
  const has = (re: RegExp) => keys.some((k) => re.test(k));
  let guess = '';
  if (has(/^layer\d+\./) && has(/^fc\.weight$/)) guess = ' — it looks like a ResNet';
  else if (has(/^features\.\d+\./) && has(/^classifier\./)) guess = ' — it looks like a VGG/AlexNet-style classifier';
  else if (has(/^(encoder|transformer|blocks)\./)) guess = ' — it looks like a transformer';
  else if (has(/^mixed_\d|^conv3d_1a/i)) guess = ' — an Inception I3D with other layer names than pytorch-i3d';
  return `${keys.length} tensors such as ${listSome(keys, 3)}${guess}`;
}

const shapeText = (s: readonly number[]) => `(${s.join(', ')})`;
const FLOAT_DTYPES: readonly TensorDtype[] = ['float32', 'float16', 'float64'];

export interface I3dReport {
  info: I3dInfo;
  /** Tensors the model does not use (not an error; reported so the UI can mention them). */
  unexpectedKeys: string[];
}

/** Recognise a pytorch-i3d InceptionI3d state dict, or throw E_NOT_I3D / E_I3D_MISSING / E_I3D_SHAPE. */
export function checkI3d(stateDict: TensorShapes): I3dReport {
  const keys = [...stateDict.keys()].filter((k) => !k.endsWith('.num_batches_tracked'));
  // names do not depend on channels, classes or width
  const names = [...i3dParameterShapes(i3dLayout({ modality: 'rgb', inChannels: 3, numClasses: 1, widthDivisor: 1 })).keys()];
  const present = new Set(keys);
  const known = new Set(names);
  const recognised = names.filter((n) => present.has(n));
  if (recognised.length === 0) throw new AppError('E_NOT_I3D', describeForeign(keys));
  const missing = names.filter((n) => !present.has(n));
  if (missing.length) throw new AppError('E_I3D_MISSING', `${missing.length} tensors are missing: ${listSome(missing)}`);

  const conv1 = stateDict.get('Conv3d_1a_7x7.conv3d.weight')?.shape ?? [];
  const logits = stateDict.get('logits.conv3d.weight')?.shape ?? [];
  if (conv1.length !== 5 || (conv1[1] !== 3 && conv1[1] !== 2)) {
    throw new AppError('E_I3D_SHAPE', `Conv3d_1a_7x7.conv3d.weight is ${shapeText(conv1)}; expected (64, 3 for RGB or 2 for flow, 7, 7, 7)`);
  }
  const divisor = 64 / conv1[0];
  if (!(SUPPORTED_WIDTH_DIVISORS as readonly number[]).includes(divisor)) {
    throw new AppError(
      'E_I3D_SHAPE',
      `Conv3d_1a_7x7.conv3d.weight has ${conv1[0]} filters; expected 64 (or 64 divided by ${SUPPORTED_WIDTH_DIVISORS.slice(1).join(', ')})`,
    );
  }
  if (logits.length !== 5 || logits[0] < 1) {
    throw new AppError('E_I3D_SHAPE', `logits.conv3d.weight is ${shapeText(logits)}; expected (classes, ${I3D_FEATURE_CHANNELS / divisor}, 1, 1, 1)`);
  }
  const info: I3dInfo = { modality: conv1[1] === 3 ? 'rgb' : 'flow', inChannels: conv1[1], numClasses: logits[0], widthDivisor: divisor };
  for (const [name, expected] of i3dParameterShapes(i3dLayout(info))) {
    const t = stateDict.get(name);
    if (!t) continue; // cannot happen: missing names were reported above
    const actual = t.shape;
    if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
      throw new AppError('E_I3D_SHAPE', `${name} is ${shapeText(actual)}; expected ${shapeText(expected)}`);
    }
    if (!FLOAT_DTYPES.includes(t.dtype)) throw new AppError('E_I3D_SHAPE', `${name} holds ${t.dtype}; expected floating point`);
  }
  return { info, unexpectedKeys: keys.filter((k) => !known.has(k)) };
}

/** Modality, classes and width divisor of a pytorch-i3d state dict (see `checkI3d`). */
export function inspectI3d(stateDict: TensorShapes): I3dInfo {
  return checkI3d(stateDict).info;
}
