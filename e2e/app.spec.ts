/** The page: dropping videos makes queue entries with metadata and a thumbnail; bad files get clear messages. */
import { resolve } from 'node:path';
import { expect, test, type Request } from '@playwright/test';
import { makeDamagedVideos } from '../test/support/damaged-videos';
import { BAD_INPUTS, CACHE, FIXTURE, HARNESS } from './support/fixtures';
import { dropFiles } from './support/page';

test('a dropped video becomes a queue entry with metadata and thumbnail', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [{ path: FIXTURE, type: 'video/mp4' }]);
  const item = page.getByTestId('queue-item');
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-status', 'ready');
  await expect(item.getByTestId('name')).toHaveText('v_GGSY1Qvo990.mp4');
  await expect(item.getByTestId('resolution')).toHaveText('320×240');
  await expect(item.getByTestId('fps')).toHaveText('19.62 fps');
  await expect(item.getByTestId('frames')).toHaveText('355');
  await expect(item.getByTestId('duration')).toHaveText('0:18.0');
  const thumb = item.getByTestId('thumbnail');
  await expect(thumb).toBeVisible();
  const size = await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
  expect(size).toEqual([342, 256]);
});

test('the file picker adds videos too', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('queue-item')).toHaveAttribute('data-status', 'ready');
});

test('bad files get their own message and the rest of the queue keeps working', async ({ page }) => {
  const av1 = makeDamagedVideos(resolve(CACHE, 'damaged')).av1;
  await page.goto('/');
  await dropFiles(page, [
    { path: BAD_INPUTS.notVideo },
    { path: BAD_INPUTS.truncated },
    { path: BAD_INPUTS.truncatedEarly },
    { path: BAD_INPUTS.empty },
    { path: BAD_INPUTS.audioOnly },
    { path: av1 },
    { path: FIXTURE, name: 'good.mp4' },
  ]);
  const items = page.getByTestId('queue-item');
  await expect(items).toHaveCount(7);
  const expected: [string, string][] = [
    ['notes.mp4', 'E_NOT_VIDEO'],
    ['truncated-early.mp4', 'E_NO_FRAMES'],
    ['empty.mp4', 'E_EMPTY_FILE'],
    ['audio-only.m4a', 'E_NO_VIDEO_STREAM'],
  ];
  for (const [name, code] of expected) {
    const item = items.filter({ hasText: name });
    await expect(item).toHaveAttribute('data-status', 'error');
    await expect(item.getByTestId('error')).toHaveAttribute('data-code', code);
    await expect(item.getByTestId('error')).not.toBeEmpty();
  }
  // AV1, which this ffmpeg.wasm build cannot decode, is decoded by the browser (WebCodecs)
  const av1Item = items.filter({ hasText: 'av1.mkv' });
  await expect(av1Item).toHaveAttribute('data-status', 'ready');
  await expect(av1Item.getByTestId('frames')).toHaveText('10');
  // a truncated file whose frames are partly there is a video (its decode gives the frames native ffmpeg gives)
  const truncated = items.filter({ hasText: 'truncated.mp4' });
  await expect(truncated).toHaveAttribute('data-status', 'ready');
  await expect(truncated.getByTestId('frames')).toHaveText('355');
  const good = items.filter({ hasText: 'good.mp4' });
  await expect(good).toHaveAttribute('data-status', 'ready');
  await expect(good.getByTestId('frames')).toHaveText('355');
});

test('the page makes no request to another origin', async ({ page, baseURL }) => {
  const origin = new URL(baseURL ?? '').origin;
  const foreign: string[] = [];
  const check = (req: Request) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  };
  page.on('request', check);
  page.context().on('request', check);
  await page.goto('/');
  await dropFiles(page, [{ path: FIXTURE }]);
  await expect(page.getByTestId('queue-item')).toHaveAttribute('data-status', 'ready');
  await page.waitForLoadState('networkidle');
  expect(foreign).toEqual([]);
});

test('a crashed pipeline worker is reported and restarted', async ({ page }) => {
  await page.goto(HARNESS);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const crash = await page.evaluate(() => window.harness.bridgeCrash());
  expect(crash).toEqual({ outcome: 'E_WORKER_CRASH', restarts: 1 });
  // the next call starts a fresh worker and works
  const { serveFile } = await import('./support/page');
  const url = await serveFile(page, FIXTURE);
  const after = await page.evaluate((u) => window.harness.bridgeProbe(u, 'v.mp4'), url);
  expect(after.meta.frameCount).toBe(355);
  expect(after.thumbnailBytes).toBeGreaterThan(1000);
});
