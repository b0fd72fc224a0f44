/** What the run says about each video: one line for people (failures on stderr), or one JSON object with --json. */
import type { ErrorInfo } from '../../../src/errors';

export interface VideoResult {
  status: 'done' | 'skipped' | 'failed';
  path: string;
  out: string | null;
  frames: number | null;
  steps: number | null;
  seconds: number | null;
  code: string | null;
  message: string | null;
  detail: string | null;
}

/** `PATH: E_CODE: message (detail)`; only the detail's first line (the rest, like a stack, is for --verbose). */
export function failureLine(path: string, e: ErrorInfo): string {
  const detail = e.detail.split('\n')[0].trim();
  return `${path}: ${e.code}: ${e.message}${detail ? ` (${detail})` : ''}`;
}

export function failed(path: string, e: ErrorInfo, seconds: number | null): VideoResult {
  return { status: 'failed', path, out: null, frames: null, steps: null, seconds, code: e.code, message: e.message, detail: e.detail };
}

export class Reporter {
  /** On a terminal: one status line (videos done/total, frames/s, ETA, failures) kept under the other output. */
  readonly tty = process.stderr.isTTY;
  private total = 0;
  private done = 0;
  private frames = 0;
  private failures = 0;
  private readonly t0 = Date.now();

  constructor(
    private readonly json: boolean,
    private readonly verbose: boolean,
  ) {}

  /** How many videos the run will compute (the status line counts them). */
  start(total: number): void {
    this.total = total;
    this.redraw();
  }

  /** Progress and notes: always stderr, so stdout holds only results. */
  log(line: string): void {
    process.stderr.write((this.tty ? '\r\x1b[K' : '') + line + '\n');
    this.redraw();
  }

  /** A page's progress line: plain lines off a terminal; on one, the status line says enough. */
  progress(line: string): void {
    if (!this.tty) this.log(line);
  }

  private redraw(): void {
    if (!this.tty || this.total === 0) return;
    const s = (Date.now() - this.t0) / 1000;
    const eta = this.done > 0 ? ((this.total - this.done) * s) / this.done : NaN;
    const parts = [`${this.done}/${this.total} videos`, `${(this.frames / s).toFixed(1)} frames/s`, `ETA ${Number.isNaN(eta) ? '?' : `${eta.toFixed(0)} s`}`];
    if (this.failures > 0) parts.push(`${this.failures} failed`);
    process.stderr.write(`\r\x1b[K${parts.join(', ')}`);
  }

  /** Ends the status line. */
  finish(): void {
    if (this.tty && this.total > 0) process.stderr.write('\n');
  }

  result(r: VideoResult, stack?: string): void {
    if (r.status !== 'skipped') {
      this.done++;
      this.frames += r.frames ?? 0;
      if (r.status === 'failed') this.failures++;
    }
    if (r.status === 'failed') {
      this.log(failureLine(r.path, { code: r.code as ErrorInfo['code'], message: r.message ?? '', detail: r.detail ?? '' }));
      if (this.verbose && stack) this.log(stack);
    }
    if (this.json) {
      const { status, code, message, out, frames, steps, seconds, path } = r;
      this.stdout(JSON.stringify({ status, code, message, out, frames, steps, seconds, path }));
    } else if (r.status === 'done') this.stdout(`${r.path}: done → ${r.out} (${r.frames} frames, ${r.steps} steps, ${r.seconds?.toFixed(1)} s)`);
    else if (r.status === 'skipped') this.stdout(`${r.path}: already done (${r.out}); --force recomputes`);
    this.redraw();
  }

  private stdout(line: string): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stdout.write(line + '\n');
  }
}
