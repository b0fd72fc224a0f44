/** index.csv in --out: one row per input (path, status, out, frames, steps, seconds, code), rewritten atomically. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { csvFields } from './inputs';

export type Status = 'done' | 'skipped' | 'failed' | 'pending' | 'missing';

export interface IndexRow {
  path: string;
  status: Status;
  out: string;
  frames: number | null;
  steps: number | null;
  seconds: number | null;
  code: string | null;
}

const COLUMNS = ['path', 'status', 'out', 'frames', 'steps', 'seconds', 'code'] as const;

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function writeIndex(path: string, rows: readonly IndexRow[]): void {
  const text = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function readIndex(path: string): IndexRow[] {
  const [header, ...lines] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const cols = csvFields(header);
  const num = (s: string | undefined) => (s ? Number(s) : null);
  return lines.map((l) => {
    const f = Object.fromEntries(csvFields(l).map((v, i) => [cols[i], v]));
    return { path: f.path, status: f.status as Status, out: f.out, frames: num(f.frames), steps: num(f.steps), seconds: num(f.seconds), code: f.code || null };
  });
}

/** The index a run writes: index.csv, or one per shard (shards run at once and must not rewrite each other's). */
export const indexName = (shard: { index: number; count: number } | null) => (shard ? `index.shard-${shard.index}-of-${shard.count}.csv` : 'index.csv');
