/** The PWA: after the first visit the service worker has everything, and the app works with the network off. */
import { expect, test } from '@playwright/test';
import { ensureCheckpoints } from '../test/support/reference';
import { FIXTURE } from './support/fixtures';
import { dropFiles } from './support/page';

test('works offline after the first visit (app shell, ffmpeg.wasm, labels, cross-origin isolation, stored models, an extraction)', async ({
  context,
  page,
}) => {
  test.setTimeout(300_000);
  const set = await ensureCheckpoints({ divisor: 8 });
  await page.goto('/');
  await page.getByTestId('model-input').setInputFiles([set.i3d('rgb', 400).path]);
  await expect(page.getByTestId('model')).toHaveCount(1, { timeout: 120_000 });
  // wait until the service worker is active and controls the page (it precaches everything on install)
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }));
    }
  });
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls: string[] = [];
    for (const n of names) for (const req of await (await caches.open(n)).keys()) urls.push(new URL(req.url).pathname);
    return urls;
  });
  expect(cached.some((u) => u.endsWith('.wasm') && u.includes('ffmpeg-core'))).toBe(true);
  expect(cached.some((u) => u.includes('ort-wasm-simd-threaded'))).toBe(true);
  expect(cached).toContain('/labels/kinetics400_labels.txt');

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'I3D features' })).toBeVisible();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await dropFiles(page, [{ path: FIXTURE }]);
  const item = page.getByTestId('queue-item');
  await expect(item).toHaveAttribute('data-status', 'ready');
  await expect(item.getByTestId('frames')).toHaveText('355');
  // the model stored on the first visit is listed, and a video is extracted with the network off
  await expect(page.getByTestId('model')).toHaveCount(1);
  await page.getByTestId('stream-flow').uncheck();
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill('24');
  await page.getByTestId('run').click();
  await expect(item).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(item.getByTestId('top-rgb').locator('li')).toHaveCount(5);
  const labels = await page.evaluate(async () => (await fetch('/labels/charades_v1_classes.txt')).text());
  expect(labels.split('\n')[0]).toBe('c000 Holding some clothes');
});
