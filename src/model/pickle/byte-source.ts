/**
 * Random-access bytes: a checkpoint is read piece by piece, so a browser File/Blob is never copied
 * whole and a Node Buffer is only viewed. Pure: Blob exists in browsers, workers and Node ≥ 18.
 */
import { AppError } from '../../errors';

export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`. May return a view into shared memory: callers copy
   * what they keep. Throws E_PICKLE_TRUNCATED when the range is outside the source.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new AppError('E_PICKLE_TRUNCATED', `needs bytes ${offset}..${offset + length} of a ${size}-byte file`);
  }
}

/** A source over bytes already in memory (no copy: `read` returns subarrays). */
export function fromBytes(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(bytes.byteLength, offset, length);
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/** A source over a Blob or File: each read slices and reads only that range. */
export function fromBlob(blob: Blob): ByteSource {
  return {
    size: blob.size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(blob.size, offset, length);
      const buf = await blob.slice(offset, offset + length).arrayBuffer();
      if (buf.byteLength !== length) throw new AppError('E_PICKLE_TRUNCATED', 'the file changed while it was read');
      return new Uint8Array(buf);
    },
  };
}
