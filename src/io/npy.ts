/**
 * NumPy .npy format (version 1.0 / 2.0), little-endian, C order. Pure: no DOM, no Node.
 */
export type NpyDtype = '<f4' | '<f8' | '<i8' | '<i4' | '|u1' | '|i1' | '<f2';

export type NpyData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The header bytes of an .npy file (magic, version, length, padded dict). */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // total header length (magic 6 + version 2 + len 2 + dict + \n) must be a multiple of 64
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  dict = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = dict.length & 0xff;
  out[9] = (dict.length >> 8) & 0xff;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  return '<f2';
}

/** Serialise a typed array as one .npy file. */
export function encodeNpy(data: NpyData, shape: readonly number[], dtype: NpyDtype = dtypeOf(data)): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape ${shape.join('x')} needs ${count} values, got ${data.length}`);
  const header = npyHeader(dtype, shape);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Parse an .npy file (little-endian, C order only). */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new Error('npy: bad magic');
  }
  const major = bytes[6];
  let headerLen: number;
  let offset: number;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    offset = 10;
  } else {
    headerLen = dv.getUint32(8, true);
    offset = 12;
  }
  const header = new TextDecoder('latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new Error('npy: bad header');
  if (fortran === 'True') throw new Error('npy: fortran order is not supported');
  const shape = shapeStr
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = offset + headerLen;
  // Uint8Array's own slice (a Node Buffer's slice would be a view into a shared pool)
  const copy = (n: number) => Uint8Array.prototype.slice.call(bytes, start, start + n * count).buffer;
  let data: NpyData;
  switch (descr) {
    case '<f4':
      data = new Float32Array(copy(4));
      break;
    case '<f8':
      data = new Float64Array(copy(8));
      break;
    case '<i8':
      data = new BigInt64Array(copy(8));
      break;
    case '<i4':
      data = new Int32Array(copy(4));
      break;
    case '|u1':
      data = new Uint8Array(copy(1));
      break;
    case '|i1':
      data = new Int8Array(copy(1));
      break;
    case '<f2':
      data = new Uint16Array(copy(2));
      break;
    default:
      throw new Error(`npy: dtype ${descr} is not supported`);
  }
  if (data.length !== count) throw new Error('npy: file is truncated');
  return { dtype: descr as NpyDtype, shape, data };
}
