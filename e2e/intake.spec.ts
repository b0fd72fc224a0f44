/** Many files at once: every one is probed, by a bounded number of ffmpeg workers. */
import { expect, test, type Worker } from '@playwright/test';
import { HARNESS, TINY_VIDEO } from './support/fixtures';
import { dropFiles, serveFile } from './support/page';

test('50 dropped videos are all probed, each by its own ffmpeg worker', async ({ page }) => {
  let started = 0;
  page.on('worker', (w: Worker) => {
    if (w.url().includes('decode.worker')) started++;
  });
  await page.goto('/');
  await dropFiles(
    page,
    Array.from({ length: 50 }, (_, i) => ({ path: TINY_VIDEO, name: `clip-${String(i).padStart(2, '0')}.mp4`, type: 'video/mp4' })),
  );
  const items = page.getByTestId('queue-item');
  await expect(items).toHaveCount(50);
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(50, { timeout: 120_000 });
  expect(started, 'one probe worker per file, seen by the test').toBe(50);
});

// Counted where the workers are made (Playwright reports a worker's end some time after terminate(), so counting
// its events would see a finished probe's worker next to the one that replaced it)
test('50 probes at once never run more than 2 ffmpeg workers at a time', async ({ page }) => {
  await page.goto(HARNESS);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const url = await serveFile(page, TINY_VIDEO);
  const got = await page.evaluate((u) => window.harness.probeMany(u, 50), url);
  expect(got.frames).toHaveLength(50);
  expect(new Set(got.frames).size).toBe(1);
  expect(got.started).toBe(50);
  expect(got.peak).toBe(2);
  expect(got.live).toBe(0);
});
