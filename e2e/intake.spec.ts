/** Many files at once: every one is probed, by a bounded number of ffmpeg workers. */
import { expect, test, type Worker } from '@playwright/test';
import { TINY_VIDEO } from './support/fixtures';
import { dropFiles } from './support/page';

test('50 dropped videos are all probed, never by more than 2 ffmpeg workers at once', async ({ page }) => {
  let live = 0;
  let peak = 0;
  let started = 0;
  const track = (w: Worker) => {
    if (!w.url().includes('decode.worker')) return;
    started++;
    live++;
    peak = Math.max(peak, live);
    w.on('close', () => live--);
  };
  page.on('worker', track);
  await page.goto('/');
  await dropFiles(
    page,
    Array.from({ length: 50 }, (_, i) => ({ path: TINY_VIDEO, name: `clip-${String(i).padStart(2, '0')}.mp4`, type: 'video/mp4' })),
  );
  const items = page.getByTestId('queue-item');
  await expect(items).toHaveCount(50);
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(50, { timeout: 120_000 });
  expect(started, 'one probe worker per file, seen by the test').toBe(50);
  expect(peak).toBeLessThanOrEqual(2);
});
