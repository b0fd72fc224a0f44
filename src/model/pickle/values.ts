/**
 * The Python values the restricted unpickler can produce. Nothing here refers to code: globals are
 * inert names, tensors are descriptions of where their bytes lie.
 */
import type { TensorDtype } from '../types';

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A dict or collections.OrderedDict; insertion order kept, keys compared by `keyOf`. */
export class PyDict {
  readonly entries = new Map<string, [PyValue, PyValue]>();
  /** Attributes set by BUILD (an OrderedDict's `_metadata`), kept only to be ignored. */
  readonly attributes = new Map<string, PyValue>();
  constructor(readonly ordered: boolean) {}
  set(key: PyValue, value: PyValue): void {
    this.entries.set(keyOf(key), [key, value]);
  }
  get(key: string): PyValue | undefined {
    return this.entries.get(keyOf(key))?.[1];
  }
}

/** A `module.name` reference that passed the allow-list; never resolved to code. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage named by a persistent id; its bytes are located by the container format. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: TensorDtype,
    /** Bytes per element in the file. */
    readonly elementSize: number,
    /** Elements of the root storage. */
    readonly numel: number,
    /** For legacy storage views: element offset into the root storage. */
    readonly viewOffset = 0,
    /** Elements visible through this reference (= numel for a root storage). */
    readonly viewNumel = numel,
  ) {}
}

/** A tensor as `_rebuild_tensor[_v2]` describes it: a strided window on a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | StorageRef | TensorRef;

/** Dict key identity for the hashable values a state dict uses (str, int, bool, None, bytes). */
export function keyOf(v: PyValue): string {
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `i:${v.toString()}`;
  if (typeof v === 'boolean') return `i:${v ? 1 : 0}`;
  if (v === null) return 'n:';
  if (v instanceof Uint8Array) return `b:${Array.from(v.subarray(0, 64)).join(',')}:${v.length}`;
  // tuples and other objects as keys never occur in a state dict; identity is good enough
  return `o:${typeName(v)}:${objectId(v)}`;
}

const ids = new WeakMap<object, number>();
let nextId = 0;
function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

/** A short, non-recursive description of a value, for error messages. */
export function typeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return `tuple of ${v.items.length}`;
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PyGlobal) return v.qualified;
  if (v instanceof StorageRef) return 'storage';
  return 'tensor';
}
