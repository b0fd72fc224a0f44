/** Helpers for tests that run a small batch in the app: slim models, short settings, copies of the fixture, downloads. */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { ensureCheckpoints } from '../../test/support/reference';
import { CACHE, FIXTURE } from './fixtures';

/** Copies of the fixture under other names, in `.cache/e2e/<folder>` (the same frames, so the same features). */
export function fixtureCopies(folder: string, names: string[]): string[] {
  const dir = resolve(CACHE, folder);
  mkdirSync(dir, { recursive: true });
  return names.map((n) => {
    const p = resolve(dir, n);
    copyFileSync(FIXTURE, p);
    return p;
  });
}

export interface BatchSettings {
  streams: ('rgb' | 'flow')[];
  maxFrames: number;
  /** Most stream entries per model pass (the app's default when absent). */
  chunk?: number;
}

/** On the app's page: imports the slim (width ÷ 8) Charades checkpoints and sets WASM fp32 and the given settings. */
export async function setUpBatch(page: Page, s: BatchSettings): Promise<void> {
  const set = await ensureCheckpoints({ divisor: 8 });
  const models = s.streams.map((m) => set.i3d(m, 157).path);
  await page.getByTestId('model-input').setInputFiles(models);
  await expect(page.getByTestId('model')).toHaveCount(models.length, { timeout: 120_000 });
  if (!s.streams.includes('flow')) await page.getByTestId('stream-flow').uncheck();
  if (!s.streams.includes('rgb')) await page.getByTestId('stream-rgb').uncheck();
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill(String(s.maxFrames));
  if (s.chunk !== undefined) await page.getByTestId('chunk').fill(String(s.chunk));
}

/** The queue entry of the video named `name`. */
export const queueItem = (page: Page, name: string): Locator => page.getByTestId('queue-item').filter({ hasText: name });

/** Downloads a finished video's .npz through its button and returns its arrays (file name → bytes). */
export async function downloadNpz(page: Page, name: string, saveTo: string): Promise<Record<string, Uint8Array>> {
  const [download] = await Promise.all([page.waitForEvent('download'), queueItem(page, name).getByTestId('download-npz').click()]);
  await download.saveAs(saveTo);
  return unzipSync(readFileSync(saveTo));
}

/** Whether two unzipped .npz files hold the same arrays, bit for bit. */
export function sameArrays(a: Record<string, Uint8Array>, b: Record<string, Uint8Array>): boolean {
  const names = Object.keys(a).sort();
  if (names.join() !== Object.keys(b).sort().join()) return false;
  return names.every((n) => Buffer.from(a[n]).equals(Buffer.from(b[n])));
}

/** A task on the page's UI thread that took over 50 ms (Chromium's Long Tasks API). */
export interface LongTask {
  start: number;
  duration: number;
}

/** Records the page's long tasks from before its own scripts run, in `window.__longTasks`. */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: { start: number; duration: number }[] = [];
    Object.assign(window, { __longTasks: seen });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) seen.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The long tasks recorded so far by observeLongTasks. */
export const longTasks = (page: Page): Promise<LongTask[]> => page.evaluate(() => (window as unknown as { __longTasks: LongTask[] }).__longTasks);
