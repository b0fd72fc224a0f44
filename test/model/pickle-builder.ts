/**
 * A tiny pickle writer for tests that need pickles PyTorch would never write (hostile opcodes,
 * limits, odd persistent ids), plus the legacy and zip containers around them.
 */
import { zipSync } from 'fflate';

export class PickleWriter {
  private readonly out: number[] = [];

  op(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  raw(bytes: Uint8Array | string): this {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const x of b) this.out.push(x);
    return this;
  }
  proto(n = 2): this {
    return this.op(0x80, n);
  }
  global(module: string, name: string): this {
    return this.op(0x63).raw(`${module}\n${name}\n`);
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, ...u32(b.length)).raw(b);
  }
  /** A Python 2 `str` (SHORT_BINSTRING). */
  py2str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x55, b.length).raw(b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    return this.op(0x4a, ...u32(n >>> 0));
  }
  none(): this {
    return this.op(0x4e);
  }
  bool(b: boolean): this {
    return this.op(b ? 0x88 : 0x89);
  }
  mark(): this {
    return this.op(0x28);
  }
  tuple(): this {
    return this.op(0x74);
  }
  emptyTuple(): this {
    return this.op(0x29);
  }
  emptyDict(): this {
    return this.op(0x7d);
  }
  setItem(): this {
    return this.op(0x73);
  }
  setItems(): this {
    return this.op(0x75);
  }
  reduce(): this {
    return this.op(0x52);
  }
  persId(): this {
    return this.op(0x51);
  }
  put(i: number): this {
    return this.op(0x71, i);
  }
  get(i: number): this {
    return this.op(0x68, i);
  }
  stop(): this {
    return this.op(0x2e);
  }
  /** collections.OrderedDict() on the stack. */
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').emptyTuple().reduce();
  }
  /** A `_rebuild_tensor_v2` of storage `key` (persistent id) with the given layout. */
  tensor(key: string, storageNumel: number, offset: number, shape: number[], stride: number[], storageType = 'FloatStorage'): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', storageType).str(key).str('cpu').int(storageNumel).tuple().persId();
    this.int(offset);
    this.mark();
    for (const s of shape) this.int(s);
    this.tuple().mark();
    for (const s of stride) this.int(s);
    this.tuple();
    return this.bool(false).orderedDict().tuple().reduce();
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function u64(n: number): number[] {
  return [...u32(n % 0x100000000), ...u32(Math.floor(n / 0x100000000))];
}

/** The legacy header pickles: magic number, protocol version 1001, sys_info. */
export function legacyHeader(littleEndian = true): Uint8Array {
  const magic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]; // 0x1950a86a20f9469cfc6c little-endian
  const w = new PickleWriter()
    .proto()
    .op(0x8a, magic.length, ...magic)
    .stop();
  w.proto()
    .op(0x4d, 1001 & 0xff, 1001 >> 8)
    .stop();
  w.proto()
    .emptyDict()
    .mark()
    .str('protocol_version')
    .op(0x4d, 1001 & 0xff, 1001 >> 8)
    .str('little_endian')
    .bool(littleEndian)
    .setItems()
    .stop();
  return w.bytes();
}

export interface RawStorage {
  key: string;
  numel: number;
  /** Little-endian element bytes. */
  data: Uint8Array;
}

/** A legacy-format file: header, the object pickle, the key list, then each storage. */
export function legacyFile(objectPickle: Uint8Array, storages: RawStorage[] = [], littleEndian = true): Uint8Array {
  const keys = new PickleWriter().proto().op(0x5d).mark();
  for (const s of storages) keys.str(s.key);
  keys.op(0x65).stop();
  const parts: Uint8Array[] = [legacyHeader(littleEndian), objectPickle, keys.bytes()];
  for (const s of storages) {
    const count = Uint8Array.from(u64(s.numel));
    parts.push(littleEndian ? count : count.reverse(), s.data);
  }
  return concat(parts);
}

/** A zip-format file (stored entries) with `archive/data.pkl` and `archive/data/<key>`. */
export function zipFile(
  dataPkl: Uint8Array,
  storages: RawStorage[] = [],
  opts: { folder?: string; byteorder?: 'little' | 'big'; level?: 0 | 6 } = {},
): Uint8Array {
  const folder = opts.folder ?? 'archive';
  const level = opts.level ?? 0;
  const entries: Record<string, [Uint8Array, { level: 0 | 6 }]> = { [`${folder}/data.pkl`]: [dataPkl, { level }] };
  for (const s of storages) entries[`${folder}/data/${s.key}`] = [s.data, { level }];
  entries[`${folder}/version`] = [new TextEncoder().encode('3\n'), { level }];
  if (opts.byteorder) entries[`${folder}/byteorder`] = [new TextEncoder().encode(opts.byteorder), { level }];
  return zipSync(entries);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function floats(values: ArrayLike<number>, littleEndian = true): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], littleEndian);
  return out;
}
