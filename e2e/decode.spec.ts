/**
 * The frames ffmpeg.wasm decodes in the browser equal native ffmpeg's byte for byte (same canonical filter),
 * and the metadata read from the file is right.
 */
import { expect, test } from '@playwright/test';
import { FIXTURE, HARNESS } from './support/fixtures';
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
