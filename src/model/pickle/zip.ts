/**
 * Just enough ZIP (incl. ZIP64) to find the entries of a PyTorch ≥ 1.6 checkpoint by random access:
 * the end-of-central-directory record, the central directory, and each entry's local header.
 * torch writes entries stored (uncompressed); deflated entries (a re-zipped file) are inflated
 * with fflate into a buffer of the declared size, which is bounded first.
 */
import { inflateSync } from 'fflate';
import { AppError } from '../../errors';
import type { ByteSource } from './byte-source';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_ENTRIES = 100_000;
const MAX_CENTRAL_DIRECTORY = 16 << 20;

function format(detail: string): never {
  throw new AppError('E_PICKLE_FORMAT', `zip: ${detail}`);
}

function u64(dv: DataView, at: number): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 0x200000) format('a 64-bit field is larger than any file');
  return hi * 0x100000000 + lo;
}

/** `PK\x03\x04`, the first local header's signature. */
export const ZIP_MAGIC = Uint8Array.of(0x50, 0x4b, 0x03, 0x04);

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && ZIP_MAGIC.every((b, i) => head[i] === b);
}

/** The central directory of a zip file (entry names are unique; a duplicate is refused). */
export async function readZipDirectory(src: ByteSource): Promise<Map<string, ZipEntry>> {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tdv.getUint32(i, true) === EOCD_SIG && i + 22 + tdv.getUint16(i + 20, true) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new AppError('E_PICKLE_TRUNCATED', 'zip: the end of the archive is missing');

  let count = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tdv.getUint32(loc, true) !== EOCD64_LOCATOR_SIG) format('ZIP64 locator missing');
    const eocd64Offset = u64(tdv, loc + 8);
    if (eocd64Offset + 56 > src.size) throw new AppError('E_PICKLE_TRUNCATED', 'zip: ZIP64 record outside the file');
    const rec = await src.read(eocd64Offset, 56);
    const rdv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rdv.getUint32(0, true) !== EOCD64_SIG) format('ZIP64 record missing');
    count = u64(rdv, 32);
    cdSize = u64(rdv, 40);
    cdOffset = u64(rdv, 48);
  }
  if (count > MAX_ENTRIES || cdSize > MAX_CENTRAL_DIRECTORY) {
    throw new AppError('E_PICKLE_LIMIT', `zip: ${count} entries in a ${cdSize}-byte directory`);
  }
  if (cdOffset + cdSize > src.size) throw new AppError('E_PICKLE_TRUNCATED', 'zip: central directory outside the file');

  const cd = await src.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL_SIG) format('bad central directory entry');
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) format('bad central directory entry');
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 32-bit fields that are 0xffffffff, in this order
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd) format('bad extra field');
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) format('short ZIP64 extra field');
          const v = u64(dv, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    if (entries.has(name)) format(`duplicate entry ${name}`);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    p = end;
  }
  return entries;
}

/** Byte offset of an entry's data (after its local header). */
export async function entryDataOffset(src: ByteSource, entry: ZipEntry): Promise<number> {
  if (entry.localHeaderOffset + 30 > src.size) throw new AppError('E_PICKLE_TRUNCATED', `zip: ${entry.name} outside the file`);
  const h = await src.read(entry.localHeaderOffset, 30);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (dv.getUint32(0, true) !== LOCAL_SIG) format(`bad local header of ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  if (start + entry.compressedSize > src.size) throw new AppError('E_PICKLE_TRUNCATED', `zip: ${entry.name} outside the file`);
  return start;
}

/**
 * The whole (decompressed) content of an entry; `maxBytes` bounds the declared size before
 * anything is allocated.
 */
export async function readEntry(src: ByteSource, entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
  if (entry.size > maxBytes) throw new AppError('E_PICKLE_LIMIT', `zip: ${entry.name} is ${entry.size} bytes`);
  const start = await entryDataOffset(src, entry);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) format(`stored entry ${entry.name} has two sizes`);
    return src.read(start, entry.size);
  }
  if (entry.method !== 8) format(`compression method ${entry.method} of ${entry.name}`);
  const packed = await src.read(start, entry.compressedSize);
  let out: Uint8Array;
  try {
    out = inflateSync(packed, { out: new Uint8Array(entry.size) });
  } catch {
    format(`${entry.name} does not inflate`);
  }
  if (out.length !== entry.size) format(`${entry.name} inflates to ${out.length} bytes, not ${entry.size}`);
  return out;
}
