/**
 * The two PyTorch checkpoint containers, read by random access:
 *
 * - legacy (`torch.save` before 1.6, or `_use_new_zipfile_serialization=False`): five pickles back
 *   to back — magic number, protocol version 1001, sys_info, the object (storages as persistent
 *   ids), the list of storage keys — then each storage as an int64 element count and raw bytes;
 * - zip (PyTorch ≥ 1.6): `<folder>/data.pkl` and one stored entry `<folder>/data/<key>` per
 *   storage, optionally `<folder>/byteorder`.
 *
 * Only the pickles are read up front; a tensor's bytes are read when it is materialised.
 */
import { AppError } from '../../errors';
import type { Tensor } from '../types';
import type { ByteSource } from './byte-source';
import { plainDataHooks, torchHooks } from './torch-globals';
import { materialize, outputBytes, tensorSpan } from './tensor-data';
import { NeedMoreBytes, unpickle } from './unpickler';
import { PyDict, StorageRef, type PyValue, type TensorRef } from './values';
import { entryDataOffset, isZip, readEntry, readZipDirectory, ZIP_MAGIC, type ZipEntry } from './zip';

export type CheckpointFormat = 'legacy' | 'zip';

export interface TorchFile {
  format: CheckpointFormat;
  /** The unpickled object (a state dict, or a dict holding one). */
  root: PyValue;
  /** Read a tensor's bytes and build it in C order. */
  readTensor(t: TensorRef): Promise<Tensor>;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;
/** Largest pickle accepted (an I3D state-dict pickle is ~50 KB). */
const MAX_PICKLE_BYTES = 64 << 20;
const FIRST_READ = 1 << 20;
/** Materialised tensors may take at most this many times the file size (float16 → float32 doubles). */
const OUTPUT_BUDGET_FACTOR = 4;

interface StorageLocation {
  /** File offset of element 0 of the root storage; -1 when it must be inflated from `entry`. */
  offset: number;
  entry?: ZipEntry;
}

export async function openTorchFile(src: ByteSource): Promise<TorchFile> {
  if (src.size === 0) throw new AppError('E_EMPTY_FILE');
  const head = await src.read(0, Math.min(src.size, 4));
  if (isZip(head)) return openZip(src);
  if (src.size < 4 && isZip(Uint8Array.of(...head, ...ZIP_MAGIC.subarray(src.size)))) {
    throw new AppError('E_PICKLE_TRUNCATED', `a ${src.size}-byte start of a zip archive`);
  }
  if (head[0] === 0x80) return openLegacy(src);
  throw new AppError('E_PICKLE_FORMAT', 'neither a zip archive nor a pickle');
}

function outputBudget(src: ByteSource): number {
  return OUTPUT_BUDGET_FACTOR * src.size + (1 << 20);
}

function makeReader(
  src: ByteSource,
  locate: (s: StorageRef) => Promise<StorageLocation>,
  littleEndian: boolean,
  inflated: (s: StorageRef, entry: ZipEntry) => Promise<Uint8Array>,
): (t: TensorRef) => Promise<Tensor> {
  // many tensors may name one storage, or expand it (stride 0): bound what they can allocate in all
  let budget = outputBudget(src);
  return async (t: TensorRef) => {
    budget -= outputBytes(t.storage.dtype, t.numel);
    if (budget < 0) throw new AppError('E_PICKLE_LIMIT', 'its tensors add up to far more than the file size');
    const s = t.storage;
    const { first, count } = tensorSpan(t);
    const loc = await locate(s);
    const startByte = (s.viewOffset + first) * s.elementSize;
    const length = count * s.elementSize;
    let raw: Uint8Array;
    if (loc.entry) raw = (await inflated(s, loc.entry)).subarray(startByte, startByte + length);
    else raw = await src.read(loc.offset + startByte, length);
    return materialize(t, raw, littleEndian);
  };
}

async function openZip(src: ByteSource): Promise<TorchFile> {
  const entries = await readZipDirectory(src);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw new AppError('E_PICKLE_FORMAT', pickles.length ? 'several data.pkl in one archive' : 'a zip file without data.pkl (not a PyTorch checkpoint)');
  }
  const folder = pickles[0].slice(0, -'data.pkl'.length);
  const pkl = await readEntry(src, entries.get(pickles[0]) as ZipEntry, Math.min(MAX_PICKLE_BYTES, 16 * src.size + (1 << 20)));

  let littleEndian = true;
  const byteorder = entries.get(`${folder}byteorder`);
  if (byteorder) {
    const text = new TextDecoder().decode(await readEntry(src, byteorder, 16));
    if (text !== 'little' && text !== 'big') throw new AppError('E_PICKLE_FORMAT', `byteorder "${text.slice(0, 16)}"`);
    littleEndian = text === 'little';
  }

  const storages = new Map<string, StorageRef>();
  // entries may be deflated (a re-zipped file), so a storage may be larger than the file: bound it by the output budget
  const { value } = unpickle(pkl, 0, torchHooks(outputBudget(src), storages, 'E_PICKLE_LIMIT'), true);

  const located = new Map<string, StorageLocation>();
  const locate = async (s: StorageRef): Promise<StorageLocation> => {
    const known = located.get(s.key);
    if (known) return known;
    const entry = entries.get(`${folder}data/${s.key}`);
    if (!entry) throw new AppError('E_PICKLE_TRUNCATED', `storage ${s.key} is missing from the archive`);
    if (entry.size < s.numel * s.elementSize) throw new AppError('E_PICKLE_TRUNCATED', `storage ${s.key} is shorter than declared`);
    const loc: StorageLocation = entry.method === 0 ? { offset: await entryDataOffset(src, entry) } : { offset: -1, entry };
    located.set(s.key, loc);
    return loc;
  };
  // deflated storages (only in re-zipped files): inflate one at a time, keep the last
  let lastInflated: { key: string; bytes: Uint8Array } | undefined;
  const inflated = async (s: StorageRef, entry: ZipEntry): Promise<Uint8Array> => {
    if (lastInflated?.key !== s.key) lastInflated = { key: s.key, bytes: await readEntry(src, entry, s.numel * s.elementSize) };
    return lastInflated.bytes;
  };
  return { format: 'zip', root: value, readTensor: makeReader(src, locate, littleEndian, inflated) };
}

/** Run the legacy pickles on the first `n` bytes; NeedMoreBytes if they continue past them. */
function parseLegacy(buf: Uint8Array, complete: boolean, fileSize: number) {
  let pos = 0;
  const magic = unpickle(buf, pos, plainDataHooks, complete);
  if (magic.value !== LEGACY_MAGIC) throw new AppError('E_PICKLE_FORMAT', 'a pickle, but not a PyTorch checkpoint (wrong magic number)');
  pos = magic.end;
  const version = unpickle(buf, pos, plainDataHooks, complete);
  if (version.value !== LEGACY_PROTOCOL_VERSION) throw new AppError('E_PICKLE_FORMAT', `legacy protocol version ${String(version.value)}`);
  pos = version.end;
  const sysInfo = unpickle(buf, pos, plainDataHooks, complete);
  if (!(sysInfo.value instanceof PyDict)) throw new AppError('E_PICKLE_FORMAT', 'legacy sys_info is not a dict');
  const littleEndian = sysInfo.value.get('little_endian') !== false;
  pos = sysInfo.end;
  const storages = new Map<string, StorageRef>();
  const obj = unpickle(buf, pos, torchHooks(fileSize, storages), complete);
  pos = obj.end;
  const keys = unpickle(buf, pos, plainDataHooks, complete);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    throw new AppError('E_PICKLE_FORMAT', 'legacy storage key list is not a list of strings');
  }
  return { root: obj.value, littleEndian, storages, keys: keys.value as string[], dataStart: keys.end };
}

async function openLegacy(src: ByteSource): Promise<TorchFile> {
  let n = Math.min(src.size, FIRST_READ);
  let parsed: ReturnType<typeof parseLegacy>;
  for (;;) {
    const buf = await src.read(0, n);
    try {
      parsed = parseLegacy(buf, n === src.size, src.size);
      break;
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      if (n >= MAX_PICKLE_BYTES) throw new AppError('E_PICKLE_LIMIT', 'the checkpoint pickles exceed 64 MiB');
      n = Math.min(src.size, n * 4, MAX_PICKLE_BYTES);
    }
  }
  const { root, littleEndian, storages, keys } = parsed;

  // storage records follow in key order: int64 element count, then the raw elements
  const offsets = new Map<string, number>();
  let p = parsed.dataStart;
  for (const key of keys) {
    const s = storages.get(key);
    if (!s) throw new AppError('E_PICKLE_FORMAT', `storage ${key} is listed but never used`);
    if (offsets.has(key)) throw new AppError('E_PICKLE_FORMAT', `storage ${key} is listed twice`);
    if (p + 8 > src.size) throw new AppError('E_PICKLE_TRUNCATED', `storage ${key} is missing`);
    const h = await src.read(p, 8);
    const dv = new DataView(h.buffer, h.byteOffset, 8);
    const count = Number(dv.getBigInt64(0, littleEndian));
    if (count !== s.numel) throw new AppError('E_PICKLE_FORMAT', `storage ${key} holds ${count} elements, the pickle says ${s.numel}`);
    offsets.set(key, p + 8);
    p += 8 + count * s.elementSize;
    if (p > src.size) throw new AppError('E_PICKLE_TRUNCATED', `storage ${key} ends past the end of the file`);
  }
  const locate = (s: StorageRef): Promise<StorageLocation> => {
    const offset = offsets.get(s.key);
    if (offset === undefined) throw new AppError('E_PICKLE_FORMAT', `storage ${s.key} is not in the key list`);
    return Promise.resolve({ offset });
  };
  const noInflate = (): Promise<Uint8Array> => Promise.reject(new AppError('E_INTERNAL', 'legacy storages are never compressed'));
  return { format: 'legacy', root, readTensor: makeReader(src, locate, littleEndian, noInflate) };
}
