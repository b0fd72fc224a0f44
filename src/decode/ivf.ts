/**
 * Splits an IVF stream (what `ffmpeg -c:v copy -f ivf` writes: a 32-byte file header, then per frame a 12-byte
 * header — size u32 LE, pts u64 LE — and the frame's bytes) into packets, from chunks of any size as they arrive.
 * Pure: no browser API.
 */

export interface IvfPacket {
  /** Presentation time in the file header's time base (`timebase` seconds per tick). */
  pts: number;
  data: Uint8Array;
}

export interface IvfHeader {
  fourcc: string;
  width: number;
  height: number;
  /** Seconds per pts tick. */
  timebase: number;
}

export class IvfSplitter {
  header: IvfHeader | null = null;
  private buf = new Uint8Array(0);

  constructor(private readonly onPacket: (p: IvfPacket) => void) {}

  push(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    let at = 0;
    const view = new DataView(joined.buffer);
    if (!this.header) {
      if (joined.length < 32) {
        this.buf = joined;
        return;
      }
      const sig = String.fromCharCode(...joined.subarray(0, 4));
      if (sig !== 'DKIF') throw new Error(`not an IVF stream (starts with ${JSON.stringify(sig)})`);
      const headerSize = view.getUint16(6, true);
      const rate = view.getUint32(16, true);
      const scale = view.getUint32(20, true);
      this.header = {
        fourcc: String.fromCharCode(...joined.subarray(8, 12)),
        width: view.getUint16(12, true),
        height: view.getUint16(14, true),
        timebase: rate > 0 ? scale / rate : NaN,
      };
      at = Math.max(32, headerSize);
    }
    while (joined.length - at >= 12) {
      const size = view.getUint32(at, true);
      if (joined.length - at - 12 < size) break;
      const pts = Number(view.getBigUint64(at + 4, true));
      this.onPacket({ pts, data: joined.slice(at + 12, at + 12 + size) });
      at += 12 + size;
    }
    this.buf = joined.slice(at);
  }

  /** Bytes of an incomplete frame left over (0 at the end of a whole stream). */
  get pending(): number {
    return this.buf.length;
  }
}
