/** Safe updates: a new version of the app waits for the user's click; the page never reloads by itself. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { downloadNpz, fixtureCopies, queueItem, setUpBatch } from './support/batch';
import { CACHE, ROOT } from './support/fixtures';
import { dropFiles } from './support/page';
import { serveDist, type DistServer } from './support/serve-dist';

const NEW_REVISION = 'new-version-of-the-app';

// the built product, served by the test (it publishes a new sw.js while the page is open); a server (an origin) of
// its own for each test, so each starts from the built service worker
let app: DistServer;
test.beforeEach(async () => {
  app = await serveDist(resolve(ROOT, 'dist'));
});
test.afterEach(async () => {
  await app?.close();
});

/** Waits until the page is controlled by the app's service worker. */
async function controlled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }));
    }
  });
}

/** Publishes a "new version" (the built service worker with another revision of index.html) and has the page look for it. */
async function publishNewVersion(page: Page): Promise<void> {
  const built = readFileSync(resolve(ROOT, 'dist/sw.js'), 'utf8');
  const next = built.replace(/(\{url:"index\.html",revision:")[^"]+"/, `$1${NEW_REVISION}"`);
  expect(next).not.toBe(built);
  app.replace('/sw.js', next);
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
}

const waitingVersion = (page: Page) => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null);
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument);

/** The URLs in the page's caches. */
const cachedUrls = (page: Page) =>
  page.evaluate(async () => {
    const urls: string[] = [];
    for (const n of await caches.keys()) for (const req of await (await caches.open(n)).keys()) urls.push(req.url);
    return urls;
  });

test('a new service worker waits: no reload by itself, a prompt, and a click reloads into the new version', async ({ page }) => {
  await page.goto(app.url + '/');
  await controlled(page);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  await publishNewVersion(page);

  const reload = page.getByRole('button', { name: 'A new version is ready — reload' });
  await expect(reload).toBeVisible();
  // installed and waiting, while the page stays the same document (the marker survives) on the old version
  expect(await waitingVersion(page)).toBe(true);
  await page.waitForTimeout(1000);
  expect(await sameDocument(page)).toBe(true);

  // the click (keyboard here) activates the new version and reloads the page into it
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), reload.focus().then(() => page.keyboard.press('Enter'))]);
  await expect(page.getByRole('heading', { name: 'I3D features' })).toBeVisible();
  expect(await sameDocument(page)).toBeUndefined();
  expect((await cachedUrls(page)).some((u) => u.includes('index.html') && u.includes(NEW_REVISION))).toBe(true);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
});

test('a new version found while a video runs: no reload and no prompt until it is done, then a click reloads into it with the queue kept', async ({ page }) => {
  test.setTimeout(240_000);
  const [video] = fixtureCopies('update', ['during-update.mp4']);
  await page.goto(app.url + '/');
  await controlled(page);
  await setUpBatch(page, { streams: ['rgb'], maxFrames: 160, chunk: 128 });
  await dropFiles(page, [{ path: video }]);
  const item = queueItem(page, 'during-update.mp4');
  await expect(item).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  await page.getByTestId('run').click();
  await expect(item).toHaveAttribute('data-status', 'running');

  // the new version installs and waits while the video runs: no prompt, no reload, the run goes on in this document
  await publishNewVersion(page);
  await expect.poll(() => waitingVersion(page), { timeout: 60_000 }).toBe(true);
  await page.waitForTimeout(1000);
  await expect(item).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  expect(await sameDocument(page)).toBe(true);
  await expect(item.getByTestId('progress')).toHaveAttribute('data-chunks-done', /^[1-9]/, { timeout: 120_000 });
  expect(await waitingVersion(page)).toBe(true);

  // done: the prompt shows; the page is still the document that ran the video, on the old version
  await expect(item).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  const reload = page.getByRole('button', { name: 'A new version is ready — reload' });
  await expect(reload).toBeVisible();
  expect(await sameDocument(page)).toBe(true);
  expect(await waitingVersion(page)).toBe(true);

  // the click reloads into the new version, and the finished video is listed as done with its downloads
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), reload.click()]);
  await expect(page.getByRole('heading', { name: 'I3D features' })).toBeVisible();
  expect(await sameDocument(page)).toBeUndefined();
  expect((await cachedUrls(page)).some((u) => u.includes('index.html') && u.includes(NEW_REVISION))).toBe(true);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await expect(page.getByTestId('queue-item')).toHaveCount(1);
  await expect(item).toHaveAttribute('data-status', 'done');
  const arrays = await downloadNpz(page, 'during-update.mp4', resolve(CACHE, 'update', 'during-update.npz'));
  expect(Object.keys(arrays).sort()).toEqual(['rgb_fc.npy', 'rgb_logits.npy', 'rgb_map.npy']);
});

test('a new version applied in another tab while a video runs here: this page goes on with it and reloads into the new version once it is done', async ({
  context,
  page,
}) => {
  test.setTimeout(300_000);
  const [video] = fixtureCopies('update', ['other-tab.mp4']);
  await page.goto(app.url + '/');
  await controlled(page);
  // a returning visit: the page is controlled by the service worker from its load on
  await page.reload();
  await controlled(page);
  await setUpBatch(page, { streams: ['rgb'], maxFrames: 300, chunk: 128 });
  await dropFiles(page, [{ path: video }]);
  const item = queueItem(page, 'other-tab.mp4');
  await expect(item).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  // what this page's queue entry was doing when another service worker took control of it
  await page.evaluate(() => {
    Object.assign(window, { __sameDocument: true, __statusAtTakeover: null });
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      const status = document.querySelector<HTMLElement>('[data-testid="queue-item"]')?.dataset.status;
      Object.assign(window, { __statusAtTakeover: status });
    });
  });
  await page.getByTestId('run').click();
  await expect(item).toHaveAttribute('data-status', 'running');
  await publishNewVersion(page);
  await expect.poll(() => waitingVersion(page), { timeout: 60_000 }).toBe(true);

  // another tab of the app is idle: it offers the new version, and its click applies it (to every tab)
  const other = await context.newPage();
  await other.goto(app.url + '/');
  const reload = other.getByRole('button', { name: 'A new version is ready — reload' });
  await expect(reload).toBeVisible();
  await Promise.all([other.waitForEvent('load', { timeout: 60_000 }), reload.click()]);
  await expect(other.getByTestId('update-prompt')).toHaveCount(0);

  // the new version took control of this page in the middle of its video; the page did not reload
  const statusAtTakeover = () => page.evaluate(() => (window as unknown as { __statusAtTakeover: string | null }).__statusAtTakeover);
  await expect.poll(statusAtTakeover, { timeout: 30_000 }).not.toBeNull();
  expect(await sameDocument(page), 'the page reloaded in the middle of its video').toBe(true);
  expect(await statusAtTakeover()).toBe('running');
  await page.waitForTimeout(1000);
  expect(await sameDocument(page)).toBe(true);
  await expect(item).toHaveAttribute('data-status', 'running');

  // done: it reloads into the new version by itself (the user applied it), the finished video listed with its downloads
  await page.waitForEvent('load', { timeout: 120_000 });
  expect(await sameDocument(page)).toBeUndefined();
  await expect(item).toHaveAttribute('data-status', 'done');
  await expect(item.getByTestId('download-npz')).toBeVisible();
  expect((await cachedUrls(page)).some((u) => u.includes('index.html') && u.includes(NEW_REVISION))).toBe(true);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
});
