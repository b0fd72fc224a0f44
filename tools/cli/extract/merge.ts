/**
 * `npm run extract -- merge --out DIR [--list FILE | DIR --recursive]`: checks the union of the shards' outputs.
 * Every input must have a complete folder of its own, done by exactly one shard; lists the failed and missing ones
 * and writes the union's index.csv (and, with --h5 FILE, the done ones' HDF5 file). Exit status 1 when any input is
 * not done.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Options } from './args';
import { writeRunH5 } from './h5';
import { readIndex, writeIndex, type IndexRow } from './index-csv';
import { collectInputs } from './inputs';
import { incompleteReason } from './outputs';
import { appVersion } from './run';

export async function runMerge(o: Options): Promise<number> {
  const log = (line: string) => process.stderr.write(line + '\n');
  const out = resolve(o.out);
  const inputs = collectInputs({ ...o }, log);
  const shardIndexes = existsSync(out) ? readdirSync(out).filter((n) => /^index\.shard-\d+-of-\d+\.csv$/.test(n)) : [];
  const doneBy = new Map<string, string[]>();
  const failedRows = new Map<string, IndexRow>();
  for (const name of shardIndexes) {
    for (const row of readIndex(join(out, name))) {
      if (row.status === 'done') doneBy.set(row.path, [...(doneBy.get(row.path) ?? []), name]);
      if (row.status === 'failed') failedRows.set(row.path, row);
    }
  }
  const rows: IndexRow[] = [];
  const problems: string[] = [];
  for (const input of inputs) {
    const dir = join(out, input.outRel);
    const reason = incompleteReason(dir, null, o.verify);
    const row: IndexRow = { path: input.shown, status: 'done', out: input.outRel, frames: null, steps: null, seconds: null, code: null };
    if (reason === null) {
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
        source?: { path?: string };
        video: { decodedFrames: number };
        steps: unknown[];
      };
      row.frames = meta.video.decodedFrames;
      row.steps = meta.steps.length;
      if (meta.source?.path !== input.path) problems.push(`${input.shown}: ${input.outRel} holds the outputs of ${meta.source?.path ?? 'an unknown source'}`);
      const by = doneBy.get(input.shown) ?? [];
      if (by.length > 1) problems.push(`${input.shown}: done more than once (${by.join(', ')})`);
    } else {
      const f = failedRows.get(input.shown);
      row.status = f ? 'failed' : 'missing';
      row.code = f?.code ?? null;
      problems.push(f ? `${input.shown}: failed ${f.code}` : `${input.shown}: missing${reason === 'absent' ? '' : ` (${reason})`}`);
    }
    rows.push(row);
  }
  writeIndex(join(out, 'index.csv'), rows);
  for (const p of problems) log(p);
  const count = (s: IndexRow['status']) => rows.filter((r) => r.status === s).length;
  log(`merge: ${inputs.length} inputs, ${count('done')} done, ${count('failed')} failed, ${count('missing')} missing, ${shardIndexes.length} shard indexes`);
  const h5ok = o.h5 === null || (await writeRunH5(resolve(o.h5), { maps: o.h5Maps, version: appVersion() }, out, rows, log));
  return problems.length > 0 || !h5ok ? 1 : 0;
}
