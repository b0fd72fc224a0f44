/**
 * Raw storage bytes → a C-contiguous `Tensor`: honours storage offset and strides (copying a
 * non-contiguous view into C order), byte order, and converts float16/float64 to float32.
 */
import type { Tensor, TensorDtype } from '../types';
import type { TensorRef } from './values';

let halfTable: Float32Array | undefined;

/** float32 value of every IEEE half bit pattern (256 KiB, built once). */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

function outputArray(dtype: TensorDtype, n: number): Tensor['data'] {
  switch (dtype) {
    case 'float32':
    case 'float16':
    case 'float64':
      return new Float32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Bytes an output tensor of this dtype and element count occupies. */
export function outputBytes(dtype: TensorDtype, numel: number): number {
  return numel * (dtype === 'int64' ? 8 : dtype === 'uint8' || dtype === 'bool' || dtype === 'int8' ? 1 : 4);
}

/** Reverse the byte order of each `size`-byte element, in place. */
function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let j = 0; j < size >> 1; j++) {
      const t = b[i + j];
      b[i + j] = b[i + size - 1 - j];
      b[i + size - 1 - j] = t;
    }
  }
}

/** Element span [first, last] (relative to the storage view) that a tensor touches. */
export function tensorSpan(t: TensorRef): { first: number; count: number } {
  if (t.numel === 0) return { first: t.storageOffset, count: 0 };
  let last = t.storageOffset;
  for (let i = 0; i < t.shape.length; i++) last += (t.shape[i] - 1) * t.stride[i];
  return { first: t.storageOffset, count: last - t.storageOffset + 1 };
}

function isContiguous(t: TensorRef): boolean {
  let expected = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    if (t.shape[i] !== 1 && t.stride[i] !== expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

/**
 * Build the tensor from `raw`, the bytes of its span (`tensorSpan`) in the file's byte order.
 * `raw` may be a view into shared memory; it is not modified (a copy is swapped if needed).
 */
export function materialize(t: TensorRef, raw: Uint8Array, littleEndian: boolean): Tensor {
  const es = t.storage.elementSize;
  const numel = t.numel;
  const dtype = t.storage.dtype;
  let bytes = raw;
  if (!littleEndian && es > 1) {
    bytes = raw.slice();
    swapBytes(bytes, es);
  }
  const out = outputArray(dtype, numel);
  const shape = [...t.shape];
  if (numel === 0) return { dtype, shape, data: out };

  // element (relative to span start) of each C-order output index
  const contiguous = isContiguous(t);
  if (contiguous && (dtype === 'float32' || dtype === 'int32' || dtype === 'int64' || dtype === 'int8' || dtype === 'uint8' || dtype === 'bool')) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, numel * es));
    return { dtype, shape, data: out };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = readerFor(dtype, dv);
  if (contiguous) {
    for (let i = 0; i < numel; i++) write(out, i, read(i * es));
    return { dtype, shape, data: out };
  }
  // strided gather with an odometer over the shape (no recursion)
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < numel; i++) {
    write(out, i, read(src * es));
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += t.stride[d];
      if (idx[d] < shape[d]) break;
      src -= t.stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return { dtype, shape, data: out };
}

type Reader = (byteOffset: number) => number | bigint;

function readerFor(dtype: TensorDtype, dv: DataView): Reader {
  switch (dtype) {
    case 'float32':
      return (o) => dv.getFloat32(o, true);
    case 'float64':
      return (o) => dv.getFloat64(o, true);
    case 'float16': {
      const table = halfToFloatTable();
      return (o) => table[dv.getUint16(o, true)];
    }
    case 'int64':
      return (o) => dv.getBigInt64(o, true);
    case 'int32':
      return (o) => dv.getInt32(o, true);
    case 'int8':
      return (o) => dv.getInt8(o);
    case 'uint8':
    case 'bool':
      return (o) => dv.getUint8(o);
  }
}

function write(out: Tensor['data'], i: number, v: number | bigint): void {
  (out as { [k: number]: number | bigint })[i] = v;
}
