/**
 * `npm run extract` per video: a failure is one line `PATH: E_CODE: message (detail)` and the next video goes on;
 * --json; one folder per input even for equal file names; folders are whole or absent, and recomputed (saying
 * why) when interrupted or made with other settings.
 */
import { readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHE } from '../support/paths';
import { extract, filesUnder, lines, makeVideo, rgbArgs, writeText } from './extract-helpers';

const DIR = resolve(CACHE, 'extract-cli/errors');
const IN = join(DIR, 'in');
let args: string[] = [];

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  writeText(join(IN, 'x.mp4'), 'this is a text file, not a video\n');
  writeText(join(IN, 'empty.mp4'), '');
  makeVideo(join(IN, 'good.mp4'), 8, 0);
  makeVideo(join(IN, 'a/clip.mp4'), 8, 2);
  makeVideo(join(IN, 'b/clip.mp4'), 8, 3);
  args = await rgbArgs();
});

describe('npm run extract: errors and output folders', () => {
  it('a failed video is one line PATH: E_CODE: message (detail), the next one completes; --json carries the code', async () => {
    const [x, empty, good] = ['x.mp4', 'empty.mp4', 'good.mp4'].map((f) => join(IN, f));
    const out = join(DIR, 'out-errors');
    const r = await extract([x, empty, good, '--out', out, '--json', ...args]);
    console.log(`errors run: ${r.seconds.toFixed(1)} s`);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('Something went wrong');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const xLines = lines(r.stderr).filter((l) => l.startsWith(`${x}:`));
    expect(xLines).toHaveLength(1);
    expect(xLines[0]).toMatch(/^\S+x\.mp4: E_NOT_VIDEO: This file is not a video that ffmpeg can read\. \(.+\)$/);
    expect(lines(r.stderr).filter((l) => l.startsWith(`${empty}:`))).toEqual([`${empty}: E_EMPTY_FILE: The file is empty (0 bytes).`]);
    const results = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(results.map((j) => [j.path, j.status, j.code])).toEqual([
      [x, 'failed', 'E_NOT_VIDEO'],
      [empty, 'failed', 'E_EMPTY_FILE'],
      [good, 'done', null],
    ]);
    expect(results[2]).toMatchObject({ out: join(out, 'good'), frames: 8, steps: 1 });
    expect(readdirSync(out).sort()).toEqual(['good', 'index.csv']);
    expect(readFileSync(join(out, 'index.csv'), 'utf8')).toContain(`${x},failed,x,,,`);
  }, 180_000);

  it('two inputs with the same file name get two folders, each complete and its own', async () => {
    const [a, b] = ['a/clip.mp4', 'b/clip.mp4'].map((f) => join(IN, f));
    const out = join(DIR, 'out-names');
    const r = await extract([a, b, '--out', out, ...args]);
    console.log(`same names run: ${r.seconds.toFixed(1)} s`);
    expect(r.status, r.stderr).toBe(0);
    for (const [dir, src] of [
      ['clip', a],
      ['clip-2', b],
    ]) {
      const meta = JSON.parse(readFileSync(join(out, dir, 'meta.json'), 'utf8')) as { source: { path: string }; outputs: { files: Record<string, unknown> } };
      expect(meta.source.path).toBe(src);
      expect(Object.keys(meta.outputs.files)).toEqual(['features.npz', 'predictions.json', 'rgb_fc.npy', 'rgb_logits.npy', 'rgb_map.npy']);
    }
    expect(readFileSync(join(out, 'clip/rgb_fc.npy')).equals(readFileSync(join(out, 'clip-2/rgb_fc.npy')))).toBe(false);
    // b alone: clip/ holds a's outputs, so b still finds its own clip-2/ (already done)
    const again = await extract([b, '--out', out, ...args]);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`${b}: already done (${join(out, 'clip-2')}); --force recomputes\n`);
  }, 180_000);

  it('an interrupted write is not complete and is recomputed; other settings are recomputed with the reason', async () => {
    const [a, b] = ['a/clip.mp4', 'b/clip.mp4'].map((f) => join(IN, f));
    const out = join(DIR, 'out-names');
    const before = filesUnder(out, '.npy');
    const size = statSync(join(out, 'clip/rgb_fc.npy')).size;
    truncateSync(join(out, 'clip/rgb_fc.npy'), 100);
    writeFileSync(join(out, 'clip-2/rgb_map.npy.tmp'), 'partial');
    const r = await extract([a, b, '--out', out, ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toContain(`${a}: recomputing (rgb_fc.npy has 100 bytes, meta.json says ${size})`);
    expect(lines(r.stderr)).toContain(`${b}: recomputing (temporary file rgb_map.npy.tmp left over: an interrupted run)`);
    expect(filesUnder(out, '.npy')).toEqual(before);
    expect(existsSync(join(out, 'clip-2/rgb_map.npy.tmp'))).toBe(false);

    const changed = await extract([a, '--out', out, ...args, '--max-frames', '6']);
    expect(changed.status, changed.stderr).toBe(0);
    expect(lines(changed.stderr)).toContain(`${a}: recomputing (settings changed: max-frames null → 6)`);
    const meta = JSON.parse(readFileSync(join(out, 'clip/meta.json'), 'utf8')) as {
      video: { decodedFrames: number };
      outputs: { settings: { maxFrames: number } };
    };
    expect(meta.video.decodedFrames).toBe(6);
    expect(meta.outputs.settings.maxFrames).toBe(6);
  }, 240_000);
});
