/**
 * A batch you can leave running: the queue survives a reload, the interrupted video goes on from its last
 * finished chunk and ends with the features of an uninterrupted run, bit for bit; pause, cancel and retry.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { ensureCheckpoints } from '../test/support/reference';
import { CACHE, FIXTURE } from './support/fixtures';
import { dropFiles } from './support/page';

const DIR = resolve(CACHE, 'batch');

/** Copies of the fixture under other names (the same frames, so the same features). */
function videos(names: string[]): string[] {
  mkdirSync(DIR, { recursive: true });
  return names.map((n) => {
    const p = resolve(DIR, n);
    copyFileSync(FIXTURE, p);
    return p;
  });
}

async function setUp(page: Page, streams: ('rgb' | 'flow')[], maxFrames: number) {
  const set = await ensureCheckpoints({ divisor: 8 });
  await page.goto('/');
  await page.getByTestId('model-input').setInputFiles([set.i3d('rgb', 157).path, set.i3d('flow', 157).path]);
  await expect(page.getByTestId('model')).toHaveCount(2, { timeout: 120_000 });
  if (!streams.includes('flow')) await page.getByTestId('stream-flow').uncheck();
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill(String(maxFrames));
  // short chunks: a short clip has several, so a reload lands between two of them
  await page.getByTestId('chunk').fill('128');
}

const item = (page: Page, name: string): Locator => page.getByTestId('queue-item').filter({ hasText: name });

async function npz(page: Page, name: string): Promise<Record<string, Uint8Array>> {
  const [download] = await Promise.all([page.waitForEvent('download'), item(page, name).getByTestId('download-npz').click()]);
  const path = resolve(DIR, `${name}.npz`);
  await download.saveAs(path);
  return unzipSync(readFileSync(path));
}

test('reload mid-batch: the finished video keeps its downloads, the interrupted one resumes from its last chunk and equals an uninterrupted run', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const [a, b, c] = videos(['a.mp4', 'b.mp4', 'c.mp4']);
  await setUp(page, ['rgb', 'flow'], 200);
  await dropFiles(page, [{ path: a }, { path: b }, { path: c }]);
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(3, { timeout: 60_000 });
  await page.getByTestId('run').click();
  await expect(item(page, 'a.mp4')).toHaveAttribute('data-status', 'done', { timeout: 400_000 });
  // b.mp4 is in its second chunk (one chunk of each stream finished): reload
  const progress = item(page, 'b.mp4').getByTestId('progress');
  await expect(progress).toHaveAttribute('data-chunks-done', /^[1-9]/, { timeout: 300_000 });
  const doneBefore = Number(await progress.getAttribute('data-chunks-done'));
  expect(doneBefore).toBeLessThan(4);
  await page.reload();

  // after the reload: a.mp4 is listed as done with its downloads; b and c need their files (no handles from a synthetic drop)
  await expect(item(page, 'a.mp4')).toHaveAttribute('data-status', 'done');
  await expect(item(page, 'a.mp4').getByTestId('download-npz')).toBeVisible();
  await expect(item(page, 'b.mp4')).toHaveAttribute('data-status', 'missing');
  await expect(item(page, 'b.mp4').getByTestId('missing')).toContainText('Drop b.mp4');
  await expect(item(page, 'c.mp4')).toHaveAttribute('data-status', 'missing');
  await expect(page.getByTestId('queue-item')).toHaveCount(3);

  // dropping the same files again gives them back to their entries, and the queue goes on by itself
  await dropFiles(page, [{ path: b }, { path: c }]);
  await expect(page.getByTestId('queue-item')).toHaveCount(3);
  const resumed = item(page, 'b.mp4').getByTestId('progress');
  await expect(resumed).toHaveAttribute('data-resumed-from', /^[1-9]/, { timeout: 120_000 });
  const from = Number(await resumed.getAttribute('data-resumed-from'));
  expect(from).toBeGreaterThanOrEqual(doneBefore);
  expect(from).toBeLessThan(4);
  await expect(resumed).toContainText(`resumed at chunk ${from + 1} of 4`);
  // the third waits its turn
  await expect(item(page, 'c.mp4')).toHaveAttribute('data-status', 'queued');
  for (const n of ['b.mp4', 'c.mp4']) await expect(item(page, n)).toHaveAttribute('data-status', 'done', { timeout: 400_000 });

  // b.mp4 (interrupted, resumed) and a.mp4 (uninterrupted) have the same frames: the same arrays, bit for bit
  const [za, zb] = [await npz(page, 'a.mp4'), await npz(page, 'b.mp4')];
  expect(Object.keys(zb).sort()).toEqual(['flow_fc.npy', 'flow_logits.npy', 'flow_map.npy', 'rgb_fc.npy', 'rgb_logits.npy', 'rgb_map.npy']);
  for (const name of Object.keys(za)) expect(Buffer.from(zb[name]).equals(Buffer.from(za[name])), name).toBe(true);
  writeFileSync(resolve(DIR, 'resumed-from.txt'), String(from));
});

test('pause between chunks and resume; cancel one video; retry a failed one', async ({ page }) => {
  test.setTimeout(600_000);
  const [a, b] = videos(['p.mp4', 'q.mp4']);
  const broken = resolve(DIR, 'r.mp4');
  await setUp(page, ['rgb'], 200);
  await dropFiles(page, [{ path: a }, { path: b }]);
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(2, { timeout: 60_000 });
  await page.getByTestId('run').click();

  // pause once p.mp4 has a finished chunk: it stops between chunks and resumes from there
  await expect(item(page, 'p.mp4').getByTestId('progress')).toHaveAttribute('data-chunks-done', /^[1-9]/, { timeout: 300_000 });
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('paused')).toBeVisible({ timeout: 120_000 });
  await expect(item(page, 'p.mp4')).toHaveAttribute('data-status', 'ready');
  await expect(item(page, 'p.mp4').getByTestId('resumable')).toBeVisible();
  await page.getByTestId('resume').click();
  await expect(item(page, 'p.mp4').getByTestId('progress')).toHaveAttribute('data-resumed-from', /^[1-9]/, { timeout: 120_000 });

  // cancel q.mp4 while it runs: it is cancelled, its results removed, and it can be retried
  await expect(item(page, 'p.mp4')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  await expect(item(page, 'q.mp4')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await item(page, 'q.mp4').getByTestId('cancel-item').click();
  await expect(item(page, 'q.mp4')).toHaveAttribute('data-status', 'cancelled');
  await expect(item(page, 'q.mp4').getByTestId('download-npz')).toHaveCount(0);
  await item(page, 'q.mp4').getByTestId('retry-item').click();
  await expect(item(page, 'q.mp4')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

  // a video that fails once (its file is not a video), retried: the failure is shown, the retry runs again
  writeFileSync(broken, 'not a video');
  await dropFiles(page, [{ path: broken }]);
  await expect(item(page, 'r.mp4')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  await expect(item(page, 'r.mp4').getByTestId('error')).toHaveAttribute('data-code', /E_/);
  await item(page, 'r.mp4').getByTestId('retry-item').click();
  await expect(item(page, 'r.mp4')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });

  // clear finished: the done videos leave the list
  await page.getByTestId('clear-finished').click();
  await expect(page.getByTestId('queue-item')).toHaveCount(1);
});
