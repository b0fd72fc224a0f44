/**
 * The frames ffmpeg.wasm decodes in the browser equal native ffmpeg's byte for byte (same canonical filter),
 * and the metadata read from the file is right.
 */
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { CORPUS, makeCorpus } from '../test/support/corpus';
import { makeDamagedVideos } from '../test/support/damaged-videos';
import { CACHE, FIXTURE, HARNESS } from './support/fixtures';
import { nativeFrameHashes } from './support/native';
import { serveFile } from './support/page';

test.beforeEach(async ({ page }) => {
  await page.goto(HARNESS);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
});

test('probe reads 355 frames at 19.62 fps, 320x240, decoded at 342x256', async ({ page }) => {
  const url = await serveFile(page, FIXTURE);
  const meta = await page.evaluate((u) => window.harness.probe(u, 'v_GGSY1Qvo990.mp4'), url);
  expect(meta.frameCount).toBe(355);
  expect(meta.fps).toBeCloseTo(19.62, 2);
  expect(meta.fpsFraction).toBe('981/50');
  expect([meta.width, meta.height]).toEqual([320, 240]);
  expect([meta.decodedWidth, meta.decodedHeight]).toEqual([342, 256]);
  expect(meta.duration).toBeCloseTo(18.04, 1);
});

for (const fps of [undefined, 25]) {
  test(`decoded frames equal native ffmpeg byte for byte (${fps ? `fps=${fps}` : 'native rate'})`, async ({ page }) => {
    const url = await serveFile(page, FIXTURE);
    const got = await page.evaluate(([u, f]) => window.harness.decodeHashes(u as string, 'v.mp4', f as number | undefined), [url, fps] as const);
    expect(got.isolated).toBe(true);
    expect([got.width, got.height]).toEqual([342, 256]);
    const want = nativeFrameHashes(FIXTURE, 342, 256, fps);
    if (fps === undefined) expect(want.length).toBe(355);
    else expect(want.length).toBe(451); // 18.04 s at 25 fps
    expect(got.hashes.length).toBe(want.length);
    const firstMismatch = got.hashes.findIndex((h, i) => h !== want[i]);
    expect(firstMismatch).toBe(-1);
  });
}

test.describe('damaged and odd files', () => {
  const videos = makeDamagedVideos(resolve(CACHE, 'damaged'));

  for (const [kind, path, frames] of [
    ['clean', videos.clean, 40],
    ['truncated (mdat tail cut, moov at the front)', videos.truncated, 23],
    ['bit-flipped', videos.flipped, 40],
  ] as const) {
    test(`${kind}: the frames native ffmpeg decodes, byte for byte, and its warnings`, async ({ page }) => {
      const url = await serveFile(page, path);
      const got = await page.evaluate((u) => window.harness.decodeHashes(u, 'v.mp4'), url);
      const want = nativeFrameHashes(path, 342, 256);
      expect(want.length).toBe(frames);
      expect(got.hashes.length).toBe(want.length);
      expect(got.hashes.findIndex((h, i) => h !== want[i])).toBe(-1);
      if (kind === 'clean') expect(got.warnings).toEqual([]);
      else expect(got.warnings?.length).toBeGreaterThan(0);
      // the probe no longer refuses a file whose container lists more frames than it holds
      const probed = await page.evaluate((u) => window.harness.probeOutcome(u, 'v.mp4'), url);
      expect(probed.meta?.frameCount).toBe(40);
    });
  }

  test('a file cut before its first complete frame: E_NO_FRAMES', async ({ page }) => {
    const url = await serveFile(page, videos.truncatedEarly);
    // native ffmpeg decodes nothing from it either (and exits with an error)
    expect(() => nativeFrameHashes(videos.truncatedEarly, 342, 256)).toThrow();
    const probed = await page.evaluate((u) => window.harness.probeOutcome(u, 'early.mp4'), url);
    expect(probed.error?.code).toBe('E_NO_FRAMES');
  });

  // AV1 decoding is exact by specification: the browser's decoder gives native ffmpeg's (libdav1d's) planes
  const corpus = makeCorpus(resolve(CACHE, 'corpus/in'));
  for (const kind of CORPUS.filter((k) => k.file.startsWith('av1'))) {
    test(`${kind.what}: the frames native ffmpeg decodes, byte for byte`, async ({ page }) => {
      const path = corpus.get(kind.file) as string;
      const url = await serveFile(page, path);
      const meta = await page.evaluate(([u, n]) => window.harness.probe(u, n), [url, kind.file] as const);
      const got = await page.evaluate(([u, n]) => window.harness.decodeHashes(u, n), [url, kind.file] as const);
      const want = nativeFrameHashes(path, meta.decodedWidth, meta.decodedHeight);
      expect(want.length).toBeGreaterThan(0);
      expect(got.hashes).toEqual(want);
    });
  }

  test('AV1 (no decoder in ffmpeg.wasm): decoded by the browser, the frames native ffmpeg decodes, byte for byte', async ({ page }) => {
    const url = await serveFile(page, videos.av1);
    const meta = await page.evaluate((u) => window.harness.probe(u, 'a.mkv'), url);
    expect(meta).toMatchObject({ codec: 'av1', decoder: 'browser', frameCount: 10 });
    const got = await page.evaluate((u) => window.harness.decodeHashes(u, 'a.mkv'), url);
    const want = nativeFrameHashes(videos.av1, 292, 256);
    expect(want.length).toBe(10);
    expect(got.hashes).toEqual(want);
    // resampling needs the frames' times, which the browser's frames do not bring back to ffmpeg: refused, saying so
    const resampled = await page.evaluate((u) => window.harness.decodeOutcome(u, 'a.mkv', 5), url);
    expect(resampled.error?.code).toBe('E_UNSUPPORTED_CODEC');
    expect(resampled.error?.detail).toMatch(/AV1 is decoded by the browser here.*--fps/);
  });
});
