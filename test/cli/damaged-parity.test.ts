/**
 * `npm run extract` on damaged and odd videos made at test time (test/support/damaged-videos.ts), in one run:
 * a clean, a tail-truncated and a bit-flipped mp4 give the reference pipeline's RGB features (native ffmpeg decodes
 * what it can; fp32, WASM, the tolerance of extract-parity.test.ts) and meta.json lists the decoder's warnings
 * (none for the clean file); a file cut before its first whole frame fails with E_NO_FRAMES and the video after it
 * still completes. (AV1 and other codecs: test/cli/corpus.test.ts.)
 * RGB only: what is tested here is which frames are decoded, and the RGB features are those frames' direct image
 * (the flow of given frames is tested against OpenCV elsewhere; its reference would be most of this test's time).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/io/npy';
import { makeDamagedVideos } from '../support/damaged-videos';
import { CACHE, ROOT } from '../support/paths';
import { ensureCheckpoints, referencePipeline } from '../support/reference';

const OUT = resolve(CACHE, 'damaged-parity');

const load = (dir: string, name: string) => decodeNpy(readFileSync(join(dir, name)));

function maxAbsDiff(app: string, ref: string, name: string): number {
  const a = load(app, name);
  const b = load(ref, name);
  expect(a.shape, name).toEqual(b.shape);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

interface Meta {
  video: { decodedFrames: number };
  decodeWarnings: { message: string; count: number }[];
}

describe('npm run extract on damaged videos vs the reference pipeline (fp32, WASM)', () => {
  it('truncated and bit-flipped mp4s give the reference RGB features with warnings; one with no whole frame is E_NO_FRAMES and the run goes on', async () => {
    const videos = makeDamagedVideos(resolve(CACHE, 'damaged'));
    const set = await ensureCheckpoints({ divisor: 8 });
    const rgb = set.i3d('rgb', 400).path;
    rmSync(OUT, { recursive: true, force: true });
    const t0 = Date.now();
    const order = [videos.clean, videos.truncated, videos.truncatedEarly, videos.flipped];
    const cli = spawnSync('npx', ['tsx', 'tools/cli/extract.ts', ...order, '--out', OUT, '--dtype', 'fp32', '--backend', 'wasm', '--rgb', rgb], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    console.log(`extract (4 videos): ${(Date.now() - t0) / 1000} s`);
    expect(cli.status, cli.stderr).toBe(1); // one video failed
    const failed = cli.stderr.split('\n').filter((l) => l.startsWith(order[2]));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/: E_NO_FRAMES: The video has no decodable frames\./);
    expect(cli.stderr.split('\n').filter((l) => /: E_[A-Z_]+: /.test(l))).toHaveLength(1);

    const expected = { clean: 40, 'truncated-tail': 23, 'bit-flipped': 40 };
    for (const [name, frames] of Object.entries(expected)) {
      const app = join(OUT, name);
      const ref = await referencePipeline(join(resolve(CACHE, 'damaged'), `${name}.mp4`), { rgb });
      const meta = JSON.parse(readFileSync(join(app, 'meta.json'), 'utf8')) as Meta;
      const refMeta = JSON.parse(readFileSync(join(ref, 'meta.json'), 'utf8')) as { decodedFrames: number };
      expect(meta.video.decodedFrames, name).toBe(frames);
      expect(refMeta.decodedFrames, name).toBe(frames);
      const report: Record<string, number> = {};
      for (const kind of ['fc', 'map', 'logits']) {
        const d = maxAbsDiff(app, ref, `rgb_${kind}.npy`);
        report[`rgb_${kind}`] = d;
        expect(d, `${name} rgb_${kind}`).toBeLessThanOrEqual(1e-3);
      }
      console.log(name, JSON.stringify(report), JSON.stringify(meta.decodeWarnings));
      if (name === 'clean') expect(meta.decodeWarnings).toEqual([]);
      else expect(meta.decodeWarnings.length, name).toBeGreaterThan(0);
    }
    const truncated = JSON.parse(readFileSync(join(OUT, 'truncated-tail', 'meta.json'), 'utf8')) as Meta;
    expect(truncated.decodeWarnings).toContainEqual({ message: 'container lists 40 frames, decoded 23', count: 1 });
  }, 1_800_000);
});
