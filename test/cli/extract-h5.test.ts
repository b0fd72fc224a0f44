/**
 * `npm run extract -- --h5 FILE`: the dataset's HDF5 file, read back with h5py (test/cli/read_h5.py). Every array
 * equals its folder's .npy exactly, the attributes are meta.json's; failed videos are left out; a resumed run
 * includes the videos of the earlier one; `merge --h5` writes the same file from the outputs on disk; big arrays
 * written in slices read back the same.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../tools/cli/extract/args';
import { H5_FORMAT, writeH5 } from '../../tools/cli/extract/h5';
import { sha256File } from '../../tools/cli/extract/outputs';
import { ensureCheckpoints, python } from '../support/reference';
import { CACHE, ROOT } from '../support/paths';
import { extract, lines, makeVideo, writeText } from './extract-helpers';

const DIR = resolve(CACHE, 'extract-cli/h5');
const DS = join(DIR, 'ds');
const OUT = join(DIR, 'out');
const H5 = join(DIR, 'h5/features.h5');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface ArrayReport {
  equal: boolean;
  shape: number[];
  dtype: string;
  chunked: boolean;
}
interface H5Report {
  attrs: Record<string, unknown>;
  videos: string[];
  paths: string[];
  groups: Record<string, { arrays: Record<string, ArrayReport>; steps_equal: boolean; attrs: Record<string, unknown> }>;
}

const readH5 = (file: string): H5Report => JSON.parse(execFileSync(python(), [join(ROOT, 'test/cli/read_h5.py'), file, OUT], { encoding: 'utf8' })) as H5Report;

interface Meta {
  source: { path: string; name: string };
  video: { decodedFrames: number; fps: number };
  steps: unknown[];
  outputs: { version: string; settings: Record<string, unknown>; models: Record<string, string> };
}
const metaOf = (group: string) => JSON.parse(readFileSync(join(OUT, group, 'meta.json'), 'utf8')) as Meta;

let args: string[] = [];
let checkpoints: Record<'rgb' | 'flow', string>;

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  // two clip.mp4 in different folders; c has a few feature steps (its big arrays are written in slices below)
  makeVideo(join(DS, 'a/clip.mp4'), 6, 0);
  makeVideo(join(DS, 'b/clip.mp4'), 7, 1);
  makeVideo(join(DS, 'c.mp4'), 34, 2);
  writeText(join(DS, 'broken/bad.mp4'), 'not a video\n');
  const set = await ensureCheckpoints({ divisor: 8 });
  checkpoints = { rgb: set.i3d('rgb', 400).path, flow: set.i3d('flow', 400).path };
  args = ['--rgb', checkpoints.rgb, '--flow', checkpoints.flow, '--streams', 'rgb,flow', '--backend', 'wasm', '--dtype', 'fp32'];
});

/** Every array of every group equals its .npy; steps and attributes are meta.json's. */
function checkAgainstFolders(report: H5Report, groups: string[], kinds: string[]): void {
  expect(report.attrs).toEqual({ format: H5_FORMAT, app_version: VERSION, groups: groups.length });
  expect(report.videos).toEqual(groups);
  for (const g of groups) {
    const r = report.groups[g];
    const names = ['rgb', 'flow'].flatMap((s) => kinds.map((k) => `${s}_${k}`)).sort();
    expect(Object.keys(r.arrays).sort(), g).toEqual(names);
    for (const [name, a] of Object.entries(r.arrays)) expect(a.equal, `${g}/${name} equals ${name}.npy`).toBe(true);
    expect(r.steps_equal, `${g} step_frames/step_times`).toBe(true);
    const meta = metaOf(g);
    expect(r.attrs).toEqual({
      source_path: meta.source.path,
      source_name: meta.source.name,
      frames: meta.video.decodedFrames,
      fps: meta.video.fps,
      steps: meta.steps.length,
      streams: ['rgb', 'flow'],
      dtype: 'fp32',
      settings: JSON.stringify(meta.outputs.settings),
      app_version: VERSION,
      rgb_model_sha256: sha256File(checkpoints.rgb),
      flow_model_sha256: sha256File(checkpoints.flow),
    });
    expect(meta.source.path).toBe(join(DS, `${g}.mp4`));
  }
}

describe('npm run extract --h5', () => {
  it('--h5-map needs --h5', () => {
    expect(() => parseOptions(['x.mp4', '--out', OUT, '--h5-map', ...args], {})).toThrow('--h5-map needs --h5 FILE');
  });

  it('writes one group per complete video (maps with --h5-map), leaves out the failed one; a resumed run adds to it', async () => {
    const r = await extract([DS, '--recursive', '--out', OUT, ...args, '--h5', H5, '--h5-map']);
    console.log(`3 videos + 1 broken, rgb and flow: ${r.seconds.toFixed(1)} s`);
    expect(r.status, r.stderr).toBe(1);
    expect(lines(r.stderr)).toContain(`${H5}: 3 video groups written (1 input not done left out)`);
    const first = readH5(H5);
    checkAgainstFolders(first, ['a/clip', 'b/clip', 'c'], ['fc', 'logits', 'map']);
    expect(first.paths.some((p) => p.startsWith('broken'))).toBe(false);
    expect(first.groups.c.arrays.rgb_fc.shape[0]).toBeGreaterThan(2);

    // a new video; the others are already done: the file has all four, without maps this time
    makeVideo(join(DS, 'd.mp4'), 6, 3);
    const again = await extract([DS, '--recursive', '--out', OUT, ...args, '--h5', H5]);
    expect(again.status).toBe(1);
    expect(lines(again.stdout).filter((l) => l.includes(': done'))).toEqual([expect.stringMatching(/^d\.mp4: done/)]);
    expect(lines(again.stderr)).toContain(`${H5}: 4 video groups written (1 input not done left out)`);
    checkAgainstFolders(readH5(H5), ['a/clip', 'b/clip', 'c', 'd'], ['fc', 'logits']);
    expect(readdirSync(join(DIR, 'h5'))).toEqual(['features.h5']);
  }, 300_000);

  it('merge --h5 writes the same file from the outputs on disk', async () => {
    const merged = join(DIR, 'h5/merged.h5');
    const m = await extract(['merge', '--out', OUT, DS, '--recursive', '--h5', merged]);
    expect(m.status).toBe(1); // broken/bad.mp4 is not done
    expect(lines(m.stderr)).toContain(`${merged}: 4 video groups written (1 input not done left out)`);
    expect(readH5(merged)).toEqual(readH5(H5));
  }, 120_000);

  it('arrays bigger than a write are written in slices of rows and read back the same', async () => {
    const sliced = join(DIR, 'h5/sliced.h5');
    const n = await writeH5(sliced, [{ group: 'c', dir: join(OUT, 'c') }], { maps: true, version: VERSION, sliceBytes: 1 });
    expect(n).toBe(1);
    const report = readH5(sliced);
    const arrays = Object.values(report.groups.c.arrays);
    expect(arrays).toHaveLength(6);
    for (const a of arrays) expect(a).toMatchObject({ equal: true, chunked: true });
  });
});
