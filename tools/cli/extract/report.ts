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

/** Where a run stands: videos computed (done or failed) of the total, their decoded frames, failures, seconds so far. */
export interface RunProgress {
  done: number;
  total: number;
  frames: number;
  failures: number;
  seconds: number;
}

/** `42 s`, `12 min`, `3 h 05 min`; `?` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * The terminal's status line: `3/10 videos, 41.5 frames/s, ETA 2 min, 1 failed | clip.mp4: decoded 120/300, …`
 * (the latest page progress after the bar), cut to `columns` so that it never wraps. ETA: the mean time per video
 * so far times the videos left.
 */
export function statusLine(p: RunProgress, latest = '', columns = Infinity): string {
  const eta = p.done > 0 ? ((p.total - p.done) * p.seconds) / p.done : NaN;
  const rate = p.seconds > 0 ? p.frames / p.seconds : 0;
  const parts = [`${p.done}/${p.total} videos`, `${rate.toFixed(1)} frames/s`, `ETA ${p.done === p.total ? '0 s' : formatDuration(eta)}`];
  if (p.failures > 0) parts.push(`${p.failures} failed`);
  const line = parts.join(', ') + (latest ? ` | ${latest}` : '');
  const width = columns - 1; // the last column would wrap on some terminals
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}

export class Reporter {
  /** On a terminal: one status line (videos done/total, frames/s, ETA, failures) kept under the other output. */
  readonly tty = process.stderr.isTTY;
  private total = 0;
  private done = 0;
  private frames = 0;
  private failures = 0;
  /** The latest page progress line, shown after the status (on a terminal). */
  private latest = '';
  /** After finish(): no status line any more (the run's last notes go below it). */
  private ended = false;
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

  /** A page's progress line (every few seconds): plain lines off a terminal; on one, it updates the status line. */
  progress(line: string): void {
    if (!this.tty) return this.log(line);
    this.latest = line;
    this.redraw();
  }

  private redraw(): void {
    if (!this.tty || this.total === 0 || this.ended) return;
    const { done, total, frames, failures } = this;
    const line = statusLine({ done, total, frames, failures, seconds: (Date.now() - this.t0) / 1000 }, this.latest, process.stderr.columns || Infinity);
    process.stderr.write(`\r\x1b[K${line}`);
  }

  /** Ends the status line. */
  finish(): void {
    if (this.tty && this.total > 0 && !this.ended) process.stderr.write('\n');
    this.ended = true;
  }

  result(r: VideoResult, stack?: string): void {
    if (r.status !== 'skipped') {
      this.done++;
      this.frames += r.frames ?? 0;
      if (r.status === 'failed') this.failures++;
      if (this.done === this.total) this.latest = '';
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
