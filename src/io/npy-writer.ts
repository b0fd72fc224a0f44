/**
 * Writes an .npy file whose shape is known before its data: header first, then rows appended as they come.
 */
import { npyHeader } from './npy';
import type { OutputDir, OutputFile } from './output';

export class NpyRowWriter {
  private rows = 0;

  private constructor(
    private readonly file: OutputFile,
    readonly name: string,
    private readonly shape: readonly number[],
    private readonly rowSize: number,
  ) {}

  /** A float32 array of `shape`; rows along the first axis. */
  static async open(dir: OutputDir, name: string, shape: readonly number[]): Promise<NpyRowWriter> {
    const file = await dir.create(name);
    await file.write(npyHeader('<f4', shape));
    return new NpyRowWriter(
      file,
      name,
      shape,
      shape.slice(1).reduce((a, b) => a * b, 1),
    );
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

  /** Closes the file without checking it is complete (a run that failed); its storage handle is released. */
  async abandon(): Promise<void> {
    await this.file.close();
  }

  async close(): Promise<void> {
    if (this.rows !== this.shape[0]) throw new Error(`${this.name}: ${this.rows} of ${this.shape[0]} rows written`);
    await this.file.close();
  }
}
