/**
 * `npm run extract` on a small dataset (30 videos in nested folders, two equal file names, one broken file, one non-video):
 * --list and --recursive give the same outputs; 3 shards run as 3 processes equal one unsharded run byte for byte
 * with no video done twice; merge passes on the union and fails when a shard's outputs are missing; --jobs 2 gives
 * the same bytes as --jobs 1; a run killed mid-way and run again does only what was missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIndex } from '../../tools/cli/extract/index-csv';
import { profileOwner } from '../../tools/cli/lib/browser-app';
import { CACHE, ROOT } from '../support/paths';
import { extract, filesUnder, lines, makeVideo, rgbArgs, writeText } from './extract-helpers';

const DIR = resolve(CACHE, 'extract-cli/dataset');
const DS = join(DIR, 'ds');
// 30 videos: six named by hand (two called clip.mp4) and 24 in two levels of sub-folders, in mp4, mkv and mov
const GOOD = [
  'a/clip.mp4',
  'a/other.mp4',
  'b/clip.mp4',
  'b/deep/x.mkv',
  'c/y.mov',
  'z.mp4',
  ...Array.from({ length: 24 }, (_, i) => `set${i % 3}/part${i % 2}/v${String(i).padStart(2, '0')}.${['mp4', 'mkv', 'mov'][i % 3]}`),
];
const BROKEN = 'broken/bad.mp4';
let args: string[] = [];
let unsharded = new Map<string, Buffer>();
let jobs1Seconds = 0;

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  GOOD.forEach((f, i) => makeVideo(join(DS, f), 6 + (i % 3), i));
  writeText(join(DS, BROKEN), 'not a video\n');
  writeText(join(DS, 'notes.txt'), 'not an input\n');
  // a CSV list in the dataset's root (one path absolute)
  writeText(join(DS, 'list.csv'), ['id,path', ...[...GOOD, BROKEN].map((f, i) => `${i},${i === 1 ? join(DS, f) : f}`)].join('\n') + '\n');
  args = await rgbArgs();
});

const expectedNpy = GOOD.flatMap((f) => ['fc', 'logits', 'map'].map((k) => `${f.replace(/\.[^.]+$/, '')}/rgb_${k}.npy`)).sort();

describe('npm run extract on a dataset', () => {
  it('--list and --recursive give the same outputs, mirrored, with index.csv', async () => {
    const outList = join(DIR, 'out-list');
    const r = await extract(['--list', join(DS, 'list.csv'), '--out', outList, ...args]);
    jobs1Seconds = r.seconds;
    console.log(`--list (jobs 1): ${r.seconds.toFixed(1)} s`);
    expect(r.status).toBe(1);
    expect(lines(r.stderr).filter((l) => / E_/.test(l))).toEqual([expect.stringMatching(/^broken\/bad\.mp4: E_NOT_VIDEO: /)]);
    unsharded = filesUnder(outList, '.npy');
    expect([...unsharded.keys()].sort()).toEqual(expectedNpy);
    const index = readIndex(join(outList, 'index.csv'));
    expect(index.map((row) => [row.path, row.status])).toEqual([...GOOD.map((f) => [f, 'done']), [BROKEN, 'failed']]);

    // the directory, recursively, maps every video to the same folder: all already done (the broken one fails again)
    const d = await extract([DS, '--recursive', '--out', outList, ...args]);
    console.log(`--recursive over the same --out: ${d.seconds.toFixed(1)} s`);
    expect(d.status).toBe(1);
    expect(d.stderr).toContain(`${DS}: ${GOOD.length + 1} videos, 2 other files skipped`);
    expect(lines(d.stdout)).toEqual(
      GOOD.slice()
        .sort()
        .map((f) => `${f}: already done (${join(outList, f.replace(/\.[^.]+$/, ''))}); --force recomputes`),
    );
    expect(filesUnder(outList, '.npy')).toEqual(unsharded);
  }, 300_000);

  it('3 shards (JOB_COMPLETION_INDEX, 3 processes at once) equal one run byte for byte; merge checks the union', async () => {
    const out = join(DIR, 'out-shards');
    const list = ['--list', join(DS, 'list.csv'), '--out', out, '--shards', '3', ...args];
    const runs = await Promise.all([0, 1, 2].map((i) => extract(list, { JOB_COMPLETION_INDEX: String(i) })));
    console.log(`3 shards at once: ${Math.max(...runs.map((r) => r.seconds)).toFixed(1)} s`);
    expect(filesUnder(out, '.npy')).toEqual(unsharded);
    const done = [0, 1, 2].flatMap((i) => readIndex(join(out, `index.shard-${i}-of-3.csv`)).filter((row) => row.status === 'done'));
    expect(done.map((row) => row.path).sort()).toEqual([...GOOD].sort());
    expect(runs.filter((r) => r.status === 1)).toHaveLength(1);

    const m = await extract(['merge', '--out', out, '--list', join(DS, 'list.csv')]);
    expect(m.status).toBe(1);
    expect(lines(m.stderr)).toContain(`${BROKEN}: failed E_NOT_VIDEO`);
    expect(m.stderr).toContain(`merge: ${GOOD.length + 1} inputs, ${GOOD.length} done, 1 failed, 0 missing, 3 shard indexes`);

    const goodInRoot = join(DS, 'good.txt');
    writeText(goodInRoot, GOOD.join('\n') + '\n');
    const ok = await extract(['merge', '--out', out, '--list', goodInRoot]);
    expect(ok.status, ok.stderr).toBe(0);

    // a shard's outputs gone: merge fails and names them; that shard rerun redoes only them, then merge passes
    const lost = done.find((row) => row.path === 'b/clip.mp4');
    rmSync(join(out, 'b/clip'), { recursive: true });
    const missing = await extract(['merge', '--out', out, '--list', goodInRoot]);
    expect(missing.status).toBe(1);
    expect(lines(missing.stderr)).toContain('b/clip.mp4: missing');
    const shard = [0, 1, 2].find((i) => readIndex(join(out, `index.shard-${i}-of-3.csv`)).some((row) => row.path === lost?.path && row.status === 'done'));
    const rerun = await extract(list, { JOB_COMPLETION_INDEX: String(shard) });
    expect(lines(rerun.stdout).filter((l) => l.includes(': done'))).toEqual([expect.stringMatching(/^b\/clip\.mp4: done/)]);
    expect((await extract(['merge', '--out', out, '--list', goodInRoot])).status).toBe(0);
    expect(filesUnder(out, '.npy')).toEqual(unsharded);
  }, 300_000);

  it('--jobs 2 gives the same .npy bytes as --jobs 1', async () => {
    const out = join(DIR, 'out-jobs2');
    const r = await extract(['--list', join(DS, 'list.csv'), '--out', out, '--jobs', '2', ...args]);
    console.log(`--list --jobs 2: ${r.seconds.toFixed(1)} s (jobs 1: ${jobs1Seconds.toFixed(1)} s)`);
    expect(r.status).toBe(1);
    expect(filesUnder(out, '.npy')).toEqual(unsharded);
    expect(readFileSync(join(out, 'index.csv'), 'utf8').split('\n')).toHaveLength(GOOD.length + 3);
  }, 300_000);

  it('a run killed (SIGKILL) after two videos and run again does only the rest, with the same bytes; its browser profile goes', async () => {
    const out = join(DIR, 'out-killed');
    // the browser profiles (tools/cli/lib/browser-app.ts) of processes that are gone
    const orphanProfiles = () =>
      readdirSync(tmpdir()).filter((n) => {
        const pid = profileOwner(n);
        if (pid === null) return false;
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      });
    const orphansBefore = orphanProfiles();
    const argv = ['tsx', 'tools/cli/extract.ts', '--list', join(DS, 'list.csv'), '--out', out, ...args];
    // its own process group (npx, tsx, node, Chromium), killed at once when the second video is reported done
    const child = spawn('npx', argv, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const before = await new Promise<string[]>((resolve) => {
      const done: string[] = [];
      let text = '';
      child.stdout.on('data', (b: Buffer) => {
        text += b.toString();
        const found = lines(text).filter((l) => / done → /.test(l));
        if (found.length >= 2 && done.length === 0) {
          done.push(...found);
          process.kill(-(child.pid as number), 'SIGKILL');
        }
      });
      child.on('exit', () => resolve(done));
    });
    expect(before).toHaveLength(2);
    // the killed run could not remove its own (its node process may take a moment to be gone)
    let killedProfiles: string[] = [];
    for (let i = 0; i < 100 && killedProfiles.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      killedProfiles = orphanProfiles().filter((n) => !orphansBefore.includes(n));
    }
    expect(killedProfiles).toHaveLength(1);
    const finished = before.map((l) => l.slice(0, l.indexOf(':')));
    const again = await extract(['--list', join(DS, 'list.csv'), '--out', out, ...args]);
    expect(existsSync(join(tmpdir(), killedProfiles[0]))).toBe(false); // the next run removed it
    expect(again.status).toBe(1);
    const out2 = lines(again.stdout);
    expect(out2.filter((l) => l.includes(': already done')).map((l) => l.slice(0, l.indexOf(':')))).toEqual(finished);
    const redone = out2.filter((l) => / done → /.test(l)).map((l) => l.slice(0, l.indexOf(':')));
    expect(redone.sort()).toEqual(GOOD.filter((f) => !finished.includes(f)).sort());
    expect(filesUnder(out, '.npy')).toEqual(unsharded);
  }, 300_000);
});
