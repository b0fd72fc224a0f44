/** Safe updates: a new version of the app waits for the user's click; the page never reloads by itself. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from './support/fixtures';
import { serveDist, type DistServer } from './support/serve-dist';

const NEW_REVISION = 'new-version-of-the-app';

// the built product, served by the test (it publishes a new sw.js while the page is open)
let app: DistServer;
test.beforeAll(async () => {
  app = await serveDist(resolve(ROOT, 'dist'));
});
test.afterAll(async () => {
  await app?.close();
});

test('a new service worker waits: no reload by itself, a prompt, and a click reloads into the new version', async ({ page }) => {
  await page.goto(app.url + '/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }));
    }
  });
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  // publish a "new version": the built service worker with another revision of index.html
  const built = readFileSync(resolve(ROOT, 'dist/sw.js'), 'utf8');
  const next = built.replace(/(\{url:"index\.html",revision:")[^"]+"/, `$1${NEW_REVISION}"`);
  expect(next).not.toBe(built);
  app.replace('/sw.js', next);
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });

  const reload = page.getByRole('button', { name: 'A new version is ready — reload' });
  await expect(reload).toBeVisible();
  // installed and waiting, while the page stays the same document (the marker survives) on the old version
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null)).toBe(true);
  await page.waitForTimeout(1000);
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

  // the click (keyboard here) activates the new version and reloads the page into it
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), reload.focus().then(() => page.keyboard.press('Enter'))]);
  await expect(page.getByRole('heading', { name: 'I3D features' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBeUndefined();
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const n of await caches.keys()) for (const req of await (await caches.open(n)).keys()) urls.push(req.url);
    return urls;
  });
  expect(cached.some((u) => u.includes('index.html') && u.includes(NEW_REVISION))).toBe(true);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
});
