/**
 * Splits a byte stream of concatenated binary PPM images (P6, maxval 255: what ffmpeg's `-c:v ppm -f image2pipe`
 * writes) into frames, whatever the chunk boundaries. Pure: runs anywhere.
 */
export interface RgbFrame {
  width: number;
  height: number;
  /** width*height*3 bytes, rgb24, row-major. */
  data: Uint8Array;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class PpmSplitter {
  private header: number[] = [];
  private frame: Uint8Array | null = null;
  private filled = 0;
  private width = 0;
  private height = 0;

  constructor(private readonly onFrame: (frame: RgbFrame) => void) {}

  /** Feed the next chunk; completed frames are passed to onFrame (their buffers are fresh, owned by the receiver). */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.frame === null) {
        // header: "P6" ws width ws height ws maxval, then exactly one whitespace byte
        this.header.push(chunk[i++]);
        this.tryParseHeader();
        if (this.header.length > 64) throw new Error('ppm: header too long');
        continue;
      }
      const n = Math.min(chunk.length - i, this.frame.length - this.filled);
      this.frame.set(chunk.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === this.frame.length) {
        const done = { width: this.width, height: this.height, data: this.frame };
        this.frame = null;
        this.filled = 0;
        this.onFrame(done);
      }
    }
  }

  /** True when no partial frame is pending. */
  get idle(): boolean {
    return this.frame === null && this.header.length === 0;
  }

  private tryParseHeader(): void {
    const h = this.header;
    if (!isSpace(h[h.length - 1])) return;
    const text = String.fromCharCode(...h);
    const tokens = text.split(/\s+/).filter((t) => t.length > 0);
    if (tokens.length < 4) return;
    if (tokens[0] !== 'P6' || tokens.length !== 4) throw new Error(`ppm: unexpected header ${JSON.stringify(text)}`);
    const [w, hh, maxval] = tokens.slice(1).map((t) => Number.parseInt(t, 10));
    if (!(w > 0 && hh > 0) || maxval !== 255) throw new Error(`ppm: unsupported header ${JSON.stringify(text)}`);
    this.width = w;
    this.height = hh;
    this.frame = new Uint8Array(w * hh * 3);
    this.filled = 0;
    this.header = [];
  }
}
