/**
 * The Content-Security-Policy: sent with the app and its workers, kept offline by the service worker, and the app
 * imports a model and extracts a video under it with no violation reported (page or workers).
 */
import { expect, test, type Page } from '@playwright/test';
import { ensureCheckpoints } from '../test/support/reference';
import { FIXTURE } from './support/fixtures';
import { dropFiles } from './support/page';

const REQUIRED = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
];

/** Every CSP violation the page or its workers report (the console line Chromium writes, and the DOM event). */
function watchViolations(page: Page): string[] {
  const seen: string[] = [];
  const onConsole = (text: string) => {
    if (/Content Security Policy|Refused to/i.test(text)) seen.push(text);
  };
  page.on('console', (m) => onConsole(m.text()));
  page.on('worker', (w) => w.on('console', (m) => onConsole(m.text())));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return seen;
}

test('the app is served with a strict CSP, and importing and extracting under it reports no violation', async ({ page }) => {
  test.setTimeout(400_000);
  const violations = watchViolations(page);
  const res = await page.goto('/');
  const csp = res?.headers()['content-security-policy'] ?? '';
  for (const d of REQUIRED) expect(csp).toContain(d);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain("'unsafe-eval'");

  const set = await ensureCheckpoints({ divisor: 8 });
  await page.getByTestId('model-input').setInputFiles([set.i3d('rgb', 157).path, set.i3d('flow', 157, 'legacy03').path]);
  await expect(page.getByTestId('model')).toHaveCount(2, { timeout: 120_000 });
  await page.getByTestId('dtype').selectOption('q8');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill('10');
  await dropFiles(page, [{ path: FIXTURE }]);
  const item = page.getByTestId('queue-item');
  await expect(item).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('run').click();
  await expect(item).toHaveAttribute('data-status', /done|error/, { timeout: 300_000 });
  await expect(item.getByTestId('error')).toHaveCount(0);
  await expect(item.getByTestId('top-joint').locator('li')).toHaveCount(5);
  expect(violations).toEqual([]);
});

test('offline, the service worker serves the app with its CSP, and the app loads under it', async ({ context, page }) => {
  const violations = watchViolations(page);
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }));
    }
  });
  await context.setOffline(true);
  const res = await page.reload();
  expect(res?.headers()['content-security-policy'] ?? '').toContain("default-src 'self'");
  await expect(page.getByRole('heading', { name: 'I3D features' })).toBeVisible();
  await dropFiles(page, [{ path: FIXTURE }]);
  await expect(page.getByTestId('queue-item')).toHaveAttribute('data-status', 'ready');
  expect(violations).toEqual([]);
});
