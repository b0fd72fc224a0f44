/**
 * URL import, the security steps of it: the host and the size from the response headers are shown before any of the
 * body is read and wait for the user's Download or Cancel on the import's row; the body then streams with progress
 * and can still be cancelled; a remote http URL is refused before any request. A plain HTTP server on another local
 * port (a cross-origin fetch with CORS) serves a slim reference checkpoint, holding or dripping its body on request.
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { ensureCheckpoints } from '../test/support/reference';
import { formatBytes } from '../src/ui/format';

let server: Server;
let base = '';
let checkpoint: Uint8Array;

/** What the server saw of each request: how much of the body it sent, and whether the client went away before the end. */
interface Served {
  path: string;
  sent: number;
  closedEarly: boolean;
}
let served: Served[] = [];
/** A held body waits here (`hold=F`: after the fraction F of it) until the test releases it. */
let release: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();
let holding = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHUNK = 16 << 10;

/** `/x/<options>/<name>`: options `hold=F` (stop after the fraction F of the body until released), `drip` (16 KiB every 20 ms), `nolength` (no Content-Length). */
async function answer(res: ServerResponse, entry: Served, options: string[]) {
  const opt = (k: string) => options.find((o) => o === k || o.startsWith(`${k}=`));
  const hold = opt('hold') ? Number(opt('hold')!.split('=')[1]) : null;
  res.writeHead(200, {
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
    'content-type': 'application/octet-stream',
    ...(opt('nolength') ? {} : { 'content-length': String(checkpoint.length) }),
  });
  res.flushHeaders();
  res.on('close', () => {
    if (!res.writableFinished) entry.closedEarly = true;
  });
  const heldAt = hold === null ? null : Math.floor(checkpoint.length * hold);
  while (entry.sent < checkpoint.length && !entry.closedEarly) {
    if (heldAt !== null && holding && entry.sent >= heldAt) {
      await held;
      continue;
    }
    let end = opt('drip') ? entry.sent + CHUNK : checkpoint.length;
    if (heldAt !== null && holding) end = Math.min(end, heldAt);
    end = Math.min(end, checkpoint.length);
    res.write(checkpoint.subarray(entry.sent, end));
    entry.sent = end;
    if (opt('drip')) await sleep(20);
  }
  if (!entry.closedEarly) res.end();
}

test.beforeAll(async () => {
  const set = await ensureCheckpoints({ divisor: 8 });
  checkpoint = readFileSync(set.i3d('rgb', 400).path);
  server = createServer((req, res) => {
    const m = /^\/x\/([^/]*)\/[^/]+\.pt$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404, { 'access-control-allow-origin': '*' }).end('not found');
      return;
    }
    const entry: Served = { path: req.url ?? '', sent: 0, closedEarly: false };
    served.push(entry);
    void answer(res, entry, m[1] ? m[1].split(',') : []);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.beforeEach(() => {
  served = [];
  holding = true;
  held = new Promise<void>((r) => {
    release = () => {
      holding = false;
      r();
    };
  });
});

test.afterEach(() => release());

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

async function importUrl(page: Page, url: string) {
  const field = page.getByTestId('model-url');
  await field.fill(url);
  await field.press('Enter');
  return page.getByTestId('model-import').filter({ hasText: 'rgb_400.pt' });
}

/** Nothing listed, nothing failed, nothing kept (after a reload). */
async function expectNothingKept(page: Page) {
  await expect(page.getByTestId('model-import')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('model')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('no-models')).toBeVisible();
}

test('the host and the size from the headers are shown before any of the body; Cancel there leaves no model and no error', async ({ page }) => {
  await page.goto('/');
  const row = await importUrl(page, `${base}/x/hold=0/rgb_400.pt`);
  await expect(row).toHaveAttribute('data-stage', 'confirm');
  const offer = row.getByTestId('import-offer');
  await expect(offer).toContainText(new URL(base).host);
  await expect(offer).toContainText(formatBytes(checkpoint.length));
  await expect(offer).toHaveAttribute('data-total', String(checkpoint.length));
  await expect(row.getByTestId('import-progress')).toHaveCount(0);
  expect(served.map((s) => s.sent)).toEqual([0]); // the server has not sent a byte of the body: the size came from the headers

  await row.getByRole('button', { name: 'cancel import of rgb_400.pt' }).click();
  await expect.poll(() => served[0]?.closedEarly).toBe(true); // the request was aborted
  await expectNothingKept(page);
});

test('Download reads a slow body with progress, then the model is converted and listed', async ({ page }) => {
  await page.goto('/');
  const row = await importUrl(page, `${base}/x/drip,hold=0.5/rgb_400.pt`);
  await expect(row).toHaveAttribute('data-stage', 'confirm');
  await row.getByRole('button', { name: 'download rgb_400.pt' }).click();
  await expect(row).toHaveAttribute('data-stage', 'downloading');
  const bar = row.getByTestId('import-progress');
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('max', String(checkpoint.length));
  // held at half the body: the bar and the percentage stand part-way
  await expect.poll(async () => Number(await bar.getAttribute('data-received'))).toBeGreaterThan(checkpoint.length / 4);
  const percent = Number(/(\d+)%/.exec((await row.getByTestId('import-received').textContent()) ?? '')?.[1]);
  expect(percent).toBeGreaterThan(0);
  expect(percent).toBeLessThanOrEqual(50);
  await expect(row.getByTestId('import-received')).toContainText(`of ${formatBytes(checkpoint.length)}`);

  release();
  const model = page.getByTestId('model');
  await expect(model).toHaveCount(1, { timeout: 120_000 });
  await expect(model).toContainText('rgb_400.pt');
  await expect(model).toContainText('400 classes');
  await expect(page.getByTestId('model-import')).toHaveCount(0);
  expect(served.map((s) => [s.sent, s.closedEarly])).toEqual([[checkpoint.length, false]]);
});

test('a response without Content-Length is offered as "size unknown" and still downloads', async ({ page }) => {
  await page.goto('/');
  const row = await importUrl(page, `${base}/x/nolength,drip,hold=0.5/rgb_400.pt`);
  await expect(row.getByTestId('import-offer')).toContainText('size unknown');
  await row.getByRole('button', { name: 'download rgb_400.pt' }).click();
  await expect(row.getByTestId('import-received')).toContainText('size unknown');
  release();
  await expect(page.getByTestId('model')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('cancel during the download stops the request: no model, no error', async ({ page }) => {
  await page.goto('/');
  const row = await importUrl(page, `${base}/x/drip,hold=0.5/rgb_400.pt`);
  await row.getByRole('button', { name: 'download rgb_400.pt' }).click();
  await expect.poll(async () => Number(await row.getByTestId('import-progress').getAttribute('data-received'))).toBeGreaterThan(0);
  await row.getByRole('button', { name: 'cancel import of rgb_400.pt' }).click();
  await expect.poll(() => served[0]?.closedEarly).toBe(true);
  expect(served[0]!.sent).toBeLessThan(checkpoint.length);
  await expectNothingKept(page);
});

test('http://example.com/x.pt is refused with E_URL_SCHEME before any request', async ({ page }) => {
  let requested = 0;
  await page.context().route('http://example.com/**', (route) => {
    requested++;
    return route.fulfill({ status: 404 });
  });
  await page.goto('/');
  const field = page.getByTestId('model-url');
  await field.fill('http://example.com/x.pt');
  await field.press('Enter');
  const failed = page.getByTestId('model-import').filter({ hasText: 'x.pt' });
  await expect(failed.getByRole('alert')).toHaveAttribute('data-code', 'E_URL_SCHEME');
  await expect(failed.getByTestId('confirm-import')).toHaveCount(0);
  expect(requested).toBe(0);
  expect(served).toEqual([]);
  await expect(page.getByTestId('model')).toHaveCount(0);
});
