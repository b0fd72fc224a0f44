/**
 * Writes an .npy file whose shape is known before its data: header first, then rows appended as they come.
 */
import { npyHeader } from './npy';
import type { OutputDir, OutputFile } from './output';

const rowSize = (shape: readonly number[]) => shape.slice(1).reduce((a, b) => a * b, 1);

export class NpyRowWriter {
  private constructor(
    private readonly file: OutputFile,
    readonly name: string,
    private readonly shape: readonly number[],
    private readonly rowSize: number,
    private rows: number,
  ) {}

  /** A float32 array of `shape`; rows along the first axis. */
  static async open(dir: OutputDir, name: string, shape: readonly number[]): Promise<NpyRowWriter> {
    const file = await dir.create(name);
    try {
      await file.write(npyHeader('<f4', shape));
    } catch (e) {
      await file.abandon();
      throw e;
    }
    return new NpyRowWriter(file, name, shape, rowSize(shape), 0);
  }

  /**
   * Reopens a file this writer began (a resumed run): its header and first `rows` rows are kept, what came after
   * them is cut off, and appends go on from row `rows`.
   */
  static async resume(dir: OutputDir, name: string, shape: readonly number[], rows: number): Promise<NpyRowWriter> {
    const header = npyHeader('<f4', shape);
    const file = await dir.resume(name, header.length + rows * rowSize(shape) * 4);
    return new NpyRowWriter(file, name, shape, rowSize(shape), rows);
  }

  /** Appends whole rows (row-major, `rowSize` floats each). */
  async append(rows: Float32Array): Promise<void> {
    if (rows.length % this.rowSize !== 0) throw new RangeError(`${this.name}: ${rows.length} values is not a whole number of rows`);
    const n = rows.length / this.rowSize;
    if (this.rows + n > this.shape[0]) throw new RangeError(`${this.name}: more than ${this.shape[0]} rows`);
    await this.file.write(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
    this.rows += n;
  }

  get written(): number {
    return this.rows;
  }

  /** Lets the file go unfinished (a run that failed or paused): its storage handle is released, its rows kept for a resume. */
  async abandon(): Promise<void> {
    await this.file.abandon();
  }

  async close(): Promise<void> {
    if (this.rows !== this.shape[0]) throw new Error(`${this.name}: ${this.rows} of ${this.shape[0]} rows written`);
    await this.file.close();
  }
}
