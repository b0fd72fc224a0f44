/**
 * The allow-list of a PyTorch state-dict pickle: which globals may appear, what REDUCE may "call"
 * (we only build descriptions), and which persistent ids name storages. Everything else is refused.
 */
import { AppError } from '../../errors';
import type { TensorDtype } from '../types';
import type { UnpickleHooks } from './unpickler';
import { PyDict, PyGlobal, PyTuple, StorageRef, TensorRef, typeName, type PyValue } from './values';

interface StorageKind {
  dtype: TensorDtype;
  elementSize: number;
}

/** torch.<Name>Storage classes whose elements we can read. */
const STORAGE_KINDS: Readonly<Record<string, StorageKind>> = {
  FloatStorage: { dtype: 'float32', elementSize: 4 },
  HalfStorage: { dtype: 'float16', elementSize: 2 },
  DoubleStorage: { dtype: 'float64', elementSize: 8 },
  LongStorage: { dtype: 'int64', elementSize: 8 },
  IntStorage: { dtype: 'int32', elementSize: 4 },
  ByteStorage: { dtype: 'uint8', elementSize: 1 },
  CharStorage: { dtype: 'int8', elementSize: 1 },
  BoolStorage: { dtype: 'bool', elementSize: 1 },
};

/** Real torch storage classes whose element type the app does not read (refused with E_PICKLE_DTYPE). */
const UNREAD_STORAGES = new Set([
  'ShortStorage',
  'BFloat16Storage',
  'ComplexFloatStorage',
  'ComplexDoubleStorage',
  'QInt8Storage',
  'QUInt8Storage',
  'QInt32Storage',
  'QUInt4x2Storage',
  'QUInt2x4Storage',
  'UntypedStorage',
]);

const REBUILD_FUNCTIONS = new Set(['_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_parameter']);

/** Real torch rebuild functions for tensors the app does not read (uint16/32/64 via v3, quantized). */
const UNREAD_REBUILDS = new Set(['_rebuild_tensor_v3', '_rebuild_qtensor']);

/** Largest tensor rank and element count accepted (far above any I3D layer). */
const MAX_RANK = 16;
const MAX_ELEMENTS = 2 ** 31;

export function findTorchGlobal(module: string, name: string): PyGlobal {
  if (module === 'collections' && name === 'OrderedDict') return new PyGlobal(module, name);
  if (module === 'torch._utils' && REBUILD_FUNCTIONS.has(name)) return new PyGlobal(module, name);
  if (module === 'torch' && name in STORAGE_KINDS) return new PyGlobal(module, name);
  if ((module === 'torch' && UNREAD_STORAGES.has(name)) || (module === 'torch._utils' && UNREAD_REBUILDS.has(name))) {
    throw new AppError('E_PICKLE_DTYPE', `${module}.${name}`);
  }
  throw new AppError('E_PICKLE_GLOBAL', `${module}.${name}`);
}

function isGlobal(v: PyValue, module: string, name: string): boolean {
  return v instanceof PyGlobal && v.module === module && v.name === name;
}

function argsOf(args: PyValue, what: string, counts: readonly number[]): readonly PyValue[] {
  if (!(args instanceof PyTuple) || !counts.includes(args.items.length)) {
    throw new AppError('E_PICKLE_FORMAT', `${what} called with ${typeName(args)}`);
  }
  return args.items;
}

function nonNegativeInt(v: PyValue, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new AppError('E_PICKLE_FORMAT', `${what} is ${typeof v === 'number' ? String(v) : typeName(v)}, not a size`);
  }
  return v;
}

function intTuple(v: PyValue, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items) throw new AppError('E_PICKLE_FORMAT', `${what} is ${typeName(v)}`);
  if (items.length > MAX_RANK) throw new AppError('E_PICKLE_LIMIT', `a tensor of rank ${items.length}`);
  return items.map((x) => nonNegativeInt(x, what));
}

function makeTensor(storage: PyValue, offset: PyValue, size: PyValue, stride: PyValue): TensorRef {
  if (!(storage instanceof StorageRef)) throw new AppError('E_PICKLE_FORMAT', `a tensor rebuilt from ${typeName(storage)}`);
  const off = nonNegativeInt(offset, 'a storage offset');
  const shape = intTuple(size, 'a tensor size');
  const strides = intTuple(stride, 'a tensor stride');
  if (shape.length !== strides.length) throw new AppError('E_PICKLE_FORMAT', 'tensor size and stride differ in rank');
  let numel = 1;
  let maxIndex = off;
  for (let i = 0; i < shape.length; i++) {
    numel *= shape[i];
    if (numel > MAX_ELEMENTS) throw new AppError('E_PICKLE_LIMIT', `a tensor of shape ${shape.join('×')}`);
    if (shape[i] > 0) maxIndex += (shape[i] - 1) * strides[i];
  }
  // (an expanded tensor, stride 0, may hold more elements than its storage: the reader's output budget bounds it)
  if (numel > 0 && maxIndex >= storage.viewNumel) {
    throw new AppError('E_PICKLE_FORMAT', `a tensor of shape ${shape.join('×')} does not fit its storage of ${storage.viewNumel}`);
  }
  return new TensorRef(storage, off, shape, strides);
}

function isEmptyHooks(v: PyValue): boolean {
  return v instanceof PyDict && v.entries.size === 0;
}

/**
 * Hooks for a state-dict pickle. `maxStorageBytes` bounds what a persistent id may claim (checked
 * before anything is allocated), refused with `overCap`: E_PICKLE_TRUNCATED where storages are stored
 * raw inside the file (so cannot exceed it), E_PICKLE_LIMIT where they may be compressed.
 * `storages` collects the root storages by key for the container to locate.
 */
export function torchHooks(
  maxStorageBytes: number,
  storages: Map<string, StorageRef>,
  overCap: 'E_PICKLE_TRUNCATED' | 'E_PICKLE_LIMIT' = 'E_PICKLE_TRUNCATED',
): UnpickleHooks {
  return {
    findGlobal: findTorchGlobal,

    reduce(callable: PyValue, args: PyValue): PyValue {
      if (isGlobal(callable, 'collections', 'OrderedDict')) {
        const items = argsOf(args, 'OrderedDict', [0, 1]);
        const dict = new PyDict(true);
        if (items.length === 1) {
          // Python 2 pickles an OrderedDict as OrderedDict([[key, value], ...])
          const pairs = items[0];
          if (!Array.isArray(pairs)) throw new AppError('E_PICKLE_FORMAT', `OrderedDict(${typeName(pairs)})`);
          for (const p of pairs) {
            const kv = p instanceof PyTuple ? p.items : Array.isArray(p) ? p : null;
            if (!kv || kv.length !== 2) throw new AppError('E_PICKLE_FORMAT', 'OrderedDict item is not a pair');
            dict.set(kv[0], kv[1]);
          }
        }
        return dict;
      }
      if (isGlobal(callable, 'torch._utils', '_rebuild_tensor')) {
        const [storage, offset, size, stride] = argsOf(args, '_rebuild_tensor', [4]);
        return makeTensor(storage, offset, size, stride);
      }
      if (isGlobal(callable, 'torch._utils', '_rebuild_tensor_v2')) {
        const a = argsOf(args, '_rebuild_tensor_v2', [6, 7]);
        if (typeof a[4] !== 'boolean' || !isEmptyHooks(a[5]) || (a.length === 7 && a[6] !== null && !(a[6] instanceof PyDict))) {
          throw new AppError('E_PICKLE_FORMAT', '_rebuild_tensor_v2 with unexpected arguments');
        }
        return makeTensor(a[0], a[1], a[2], a[3]);
      }
      if (isGlobal(callable, 'torch._utils', '_rebuild_parameter')) {
        const [data, requiresGrad, hooks] = argsOf(args, '_rebuild_parameter', [3]);
        if (!(data instanceof TensorRef) || typeof requiresGrad !== 'boolean' || !isEmptyHooks(hooks)) {
          throw new AppError('E_PICKLE_FORMAT', '_rebuild_parameter with unexpected arguments');
        }
        return data;
      }
      throw new AppError('E_PICKLE_FORMAT', `a call of ${typeName(callable)}`);
    },

    persistentLoad(pid: PyValue): PyValue {
      const items = pid instanceof PyTuple ? pid.items : null;
      if (!items || (items.length !== 5 && items.length !== 6) || items[0] !== 'storage') {
        throw new AppError('E_PICKLE_FORMAT', `unexpected persistent id (${typeName(pid)})`);
      }
      const [, type, key, location, numelValue] = items;
      const kind = type instanceof PyGlobal && type.module === 'torch' ? STORAGE_KINDS[type.name] : undefined;
      if (!kind) throw new AppError('E_PICKLE_FORMAT', `a storage of type ${typeName(type)}`);
      if (typeof key !== 'string' || key.length > 256 || typeof location !== 'string') {
        throw new AppError('E_PICKLE_FORMAT', 'a storage key or location is not a string');
      }
      const numel = nonNegativeInt(numelValue, 'a storage size');
      if (numel * kind.elementSize > maxStorageBytes) {
        throw new AppError(overCap, `storage ${key} claims ${numel * kind.elementSize} bytes`);
      }
      let root = storages.get(key);
      if (!root) {
        root = new StorageRef(key, kind.dtype, kind.elementSize, numel);
        storages.set(key, root);
      } else if (root.dtype !== kind.dtype || root.numel !== numel) {
        throw new AppError('E_PICKLE_FORMAT', `storage ${key} is declared twice differently`);
      }
      const view = items.length === 6 ? items[5] : null;
      if (view === null) return root;
      // PyTorch < 0.4 storage views: (view_key, offset, size) into the root storage
      const v = view instanceof PyTuple ? view.items : null;
      if (!v || v.length !== 3 || typeof v[0] !== 'string') throw new AppError('E_PICKLE_FORMAT', 'unexpected storage view');
      const offset = nonNegativeInt(v[1], 'a storage view offset');
      const size = nonNegativeInt(v[2], 'a storage view size');
      if (offset + size > numel) throw new AppError('E_PICKLE_FORMAT', `storage view ${v[0]} exceeds its storage`);
      return new StorageRef(key, kind.dtype, kind.elementSize, numel, offset, size);
    },
  };
}

/** Hooks for the plain-data header pickles of the legacy format: no globals at all. */
export const plainDataHooks: UnpickleHooks = {
  findGlobal(module: string, name: string): PyGlobal {
    throw new AppError('E_PICKLE_GLOBAL', `${module}.${name}`);
  },
  reduce(callable: PyValue): PyValue {
    throw new AppError('E_PICKLE_FORMAT', `a call of ${typeName(callable)} in a header`);
  },
  persistentLoad(): PyValue {
    throw new AppError('E_PICKLE_FORMAT', 'a persistent id in a header');
  },
};
