/**
 * `npm run extract` on the corpus of test/support/corpus.ts (50-odd containers, codecs, pixel formats, sizes,
 * metadata, timings and unusable files) in one run: every video is extracted with the reference pipeline's
 * frames and RGB features (native ffmpeg decode, PyTorch; slim random-weight checkpoint, fp32, WASM), every other
 * file fails with its error code, and the run goes on. Writes the table of what happened to
 * .cache/corpus/table.md (docs/corpus.md is a copy of it).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/io/npy';
import { CORPUS, describeWithFfprobe, makeCorpus } from '../support/corpus';
import { CACHE } from '../support/paths';
import { ensureCheckpoints, referencePipeline } from '../support/reference';
import { extract, lines } from './extract-helpers';

const DIR = resolve(CACHE, 'corpus');

interface Result {
  path: string;
  status: 'done' | 'skipped' | 'failed';
  code: string | null;
  message?: string;
  out?: string;
  frames?: number;
}

const maxAbsDiff = (a: string, b: string) => {
  const x = decodeNpy(readFileSync(a)).data as Float32Array;
  const y = decodeNpy(readFileSync(b)).data as Float32Array;
  if (x.length !== y.length) return Infinity;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};

/** Runs `fn` over `items`, `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

describe('npm run extract on a corpus of odd and unusable files', () => {
  it(`${CORPUS.length} files in one run: each video equals the reference, each other file fails with its code`, async () => {
    const paths = makeCorpus(join(DIR, 'in'));
    const rgb = (await ensureCheckpoints({ divisor: 8 })).i3d('rgb', 400).path;
    const out = join(DIR, 'out');
    rmSync(out, { recursive: true, force: true });
    const files = CORPUS.map((k) => paths.get(k.file) as string);
    const run = await extract([...files, '--out', out, '--json', '--rgb', rgb, '--streams', 'rgb', '--backend', 'wasm', '--dtype', 'fp32']);
    console.log(`corpus run (${files.length} files): ${run.seconds.toFixed(1)} s`);
    expect(run.stderr).not.toContain('Something went wrong');
    const results = new Map(lines(run.stdout).map((l) => [(JSON.parse(l) as Result).path, JSON.parse(l) as Result]));
    expect(results.size, run.stderr.slice(-3000)).toBe(files.length);

    const rows = await pool(CORPUS, 2, async (k) => {
      const path = paths.get(k.file) as string;
      const r = results.get(path) as Result;
      const row = { kind: k, input: describeWithFfprobe(path), result: r, refFrames: null as number | null, diff: null as number | null };
      if (r.status === 'done' && r.out) {
        const ref = await referencePipeline(path, { rgb });
        row.refFrames = (JSON.parse(readFileSync(join(ref, 'meta.json'), 'utf8')) as { decodedFrames: number }).decodedFrames;
        row.diff = Math.max(...['rgb_fc.npy', 'rgb_map.npy', 'rgb_logits.npy'].map((n) => maxAbsDiff(join(r.out as string, n), join(ref, n))));
      }
      return row;
    });

    const table = [
      `| file | what | ffprobe (codec, size, pixels) | expected | app | frames (app / native) | max abs diff, RGB fc/map/logits |`,
      `|---|---|---|---|---|---|---|`,
      ...rows.map(
        ({ kind, input, result, refFrames, diff }) =>
          `| ${kind.file} | ${kind.what} | ${input || '—'} | ${kind.expect} | ${result.status === 'done' ? 'done' : `${result.code}: ${result.message ?? ''}`} | ${result.frames !== undefined && refFrames !== null ? `${result.frames} / ${refFrames}` : '—'} | ${diff === null ? '—' : diff.toExponential(1)} |`,
      ),
    ].join('\n');
    writeFileSync(join(DIR, 'table.md'), table + '\n');
    console.log(table);

    for (const { kind, result, refFrames, diff } of rows) {
      if (kind.expect === 'done') {
        expect(result.status, `${kind.file}: ${result.code} ${result.message}`).toBe('done');
        expect(result.frames, `${kind.file} frames`).toBe(refFrames);
        expect(diff, `${kind.file} max abs diff`).toBeLessThanOrEqual(1e-3);
      } else {
        expect([result.status, result.code], kind.file).toEqual(['failed', kind.expect]);
      }
    }
  }, 1_200_000);
});
