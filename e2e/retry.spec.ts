/**
 * A video that fails once and succeeds on retry: the test build's hook makes the next extraction's model fail with a
 * typed error (E_MODEL_RUN) in its second pass; the queue goes on, and Retry gives that video the features of a video
 * that never failed, while the other videos keep theirs.
 */
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { downloadNpz, fixtureCopies, queueItem, sameArrays, setUpBatch } from './support/batch';
import { CACHE, TEST_BUILD_PORT } from './support/fixtures';
import { dropFiles } from './support/page';

const DIR = resolve(CACHE, 'retry');

test('a video whose model fails once is shown as failed, the queue goes on, and Retry ends it done with the same arrays as the others', async ({ page }) => {
  test.setTimeout(300_000);
  const [a, b, c] = fixtureCopies('retry', ['a.mp4', 'b.mp4', 'c.mp4']);
  // the test build: the app with its test hooks
  await page.goto(`http://127.0.0.1:${TEST_BUILD_PORT}/`);
  await setUpBatch(page, { streams: ['rgb'], maxFrames: 160, chunk: 128 });
  await dropFiles(page, [{ path: a }, { path: b }, { path: c }]);
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(3, { timeout: 60_000 });
  await page.getByTestId('run').click();

  // a.mp4 is under way: the next extraction (b.mp4's) fails in its second model pass, after one finished chunk
  await expect(queueItem(page, 'a.mp4').getByTestId('progress')).toHaveAttribute('data-phase', /./, { timeout: 60_000 });
  await page.evaluate(() =>
    (window as unknown as { failNextExtractForTest(code: string, passes: number): Promise<void> }).failNextExtractForTest('E_MODEL_RUN', 1),
  );

  await expect(queueItem(page, 'b.mp4')).toHaveAttribute('data-status', 'error', { timeout: 120_000 });
  await expect(queueItem(page, 'b.mp4').getByTestId('error')).toHaveAttribute('data-code', 'E_MODEL_RUN');
  await expect(queueItem(page, 'b.mp4').getByTestId('error')).toContainText('The model failed while computing features.');
  await expect(queueItem(page, 'b.mp4').getByTestId('download-npz')).toHaveCount(0);
  // one failed video does not stop the queue: the one after it runs
  for (const n of ['a.mp4', 'c.mp4']) await expect(queueItem(page, n)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('pause')).toHaveCount(0);
  const za = await downloadNpz(page, 'a.mp4', resolve(DIR, 'a-before.npz'));
  const zc = await downloadNpz(page, 'c.mp4', resolve(DIR, 'c-before.npz'));
  expect(Object.keys(za).sort()).toEqual(['rgb_fc.npy', 'rgb_logits.npy', 'rgb_map.npy']);
  expect(sameArrays(za, zc)).toBe(true);

  // Retry: b.mp4 runs again (the hook failed once only) and ends done with the arrays of the copies that never failed
  await queueItem(page, 'b.mp4').getByTestId('retry-item').click();
  await expect(queueItem(page, 'b.mp4')).toHaveAttribute('data-status', 'running');
  await expect(queueItem(page, 'b.mp4')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(queueItem(page, 'b.mp4').getByTestId('error')).toHaveCount(0);
  const zb = await downloadNpz(page, 'b.mp4', resolve(DIR, 'b.npz'));
  expect(sameArrays(zb, za)).toBe(true);

  // the others are as they were: done, with the same downloads
  await expect(page.getByTestId('queue-item')).toHaveCount(3);
  for (const n of ['a.mp4', 'c.mp4']) await expect(queueItem(page, n)).toHaveAttribute('data-status', 'done');
  expect(sameArrays(await downloadNpz(page, 'a.mp4', resolve(DIR, 'a-after.npz')), za)).toBe(true);
  expect(sameArrays(await downloadNpz(page, 'c.mp4', resolve(DIR, 'c-after.npz')), zc)).toBe(true);
});
