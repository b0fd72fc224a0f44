/**
 * Model import by drag and drop, by URL, and the one-click import of the published checkpoints, pointed at local servers: the URL
 * field at a plain HTTP server on another local port (a cross-origin fetch with CORS, as from GitHub), the
 * published button with GitHub's URLs answered by the test (nothing leaves the machine). Slim random-weight
 * checkpoints stand in for the published files.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { ensureCheckpoints, type CheckpointSet } from '../test/support/reference';
import { FIXTURE } from './support/fixtures';
import { dropFiles } from './support/page';

let set: CheckpointSet;
let server: Server;
let base = '';
const requests: string[] = [];

test.beforeAll(async () => {
  set = await ensureCheckpoints({ divisor: 8 });
  const files: Record<string, string> = { '/rgb_400.pt': set.i3d('rgb', 400).path };
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = files[req.url ?? ''];
    const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    if (!path) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((done) => server.close(done));
});

test('a checkpoint URL is fetched, converted and listed; a missing one gets E_FETCH; remove deletes it', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('no-models')).toBeVisible();
  const field = page.getByTestId('model-url');
  await field.fill(`${base}/missing.pt`);
  await field.press('Enter');
  const failed = page.getByTestId('model-import').filter({ hasText: 'missing.pt' });
  await expect(failed.getByRole('alert')).toHaveAttribute('data-code', 'E_FETCH');
  await expect(failed.getByRole('alert')).toContainText('404');

  await field.fill(`${base}/rgb_400.pt`);
  await field.press('Enter');
  // the host and size are shown first; nothing goes on until the user says Download (e2e/model-url.spec.ts: the rest of it)
  await page.getByRole('button', { name: 'download rgb_400.pt' }).click();
  const model = page.getByTestId('model');
  await expect(model).toHaveCount(1, { timeout: 120_000 });
  await expect(model).toHaveAttribute('data-modality', 'rgb');
  await expect(model).toContainText('rgb_400.pt');
  await expect(model).toContainText('400 classes');
  expect(requests).toEqual(['/missing.pt', '/rgb_400.pt']);

  await page.reload();
  await expect(page.getByTestId('model')).toHaveCount(1); // kept in OPFS
  await page.getByRole('button', { name: 'remove model rgb_400.pt' }).click();
  await expect(page.getByTestId('model')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('no-models')).toBeVisible();
});

test('the published checkpoints: nothing is fetched until the user confirms, then all four are imported', async ({ page }) => {
  const fetched: string[] = [];
  await page.context().route('https://raw.githubusercontent.com/**', (route) => {
    const url = route.request().url();
    fetched.push(url);
    const m = /\/piergiaj\/pytorch-i3d\/master\/models\/(rgb|flow)_(imagenet|charades)\.pt$/.exec(url);
    if (!m) return route.fulfill({ status: 404, headers: { 'access-control-allow-origin': '*' }, body: 'not found' });
    const path = set.i3d(m[1] as 'rgb' | 'flow', m[2] === 'imagenet' ? 400 : 157).path;
    return route.fulfill({ body: readFileSync(path), headers: { 'content-type': 'application/octet-stream', 'access-control-allow-origin': '*' } });
  });
  await page.goto('/');
  await expect(page.getByTestId('no-models')).toBeVisible();
  const button = page.getByRole('button', { name: /published/i });

  page.once('dialog', (d) => void d.dismiss());
  await button.click();
  await page.waitForTimeout(500);
  expect(fetched).toEqual([]);
  await expect(page.getByTestId('model-import')).toHaveCount(0);

  page.once('dialog', (d) => void d.accept());
  await button.click(); // that one confirmation covers the four: none of them asks again (no Download is clicked here)
  const models = page.getByTestId('model');
  await expect(models).toHaveCount(4, { timeout: 180_000 });
  expect(fetched.map((u) => u.split('/').pop()).sort()).toEqual(['flow_charades.pt', 'flow_imagenet.pt', 'rgb_charades.pt', 'rgb_imagenet.pt']);
  for (const [name, modality, classes] of [
    ['rgb_imagenet.pt', 'rgb', 400],
    ['flow_imagenet.pt', 'flow', 400],
    ['rgb_charades.pt', 'rgb', 157],
    ['flow_charades.pt', 'flow', 157],
  ] as const) {
    const row = models.filter({ hasText: name });
    await expect(row).toHaveAttribute('data-modality', modality);
    await expect(row).toContainText(`${classes} classes`);
  }
});

test('a checkpoint dropped on the page with a video becomes a model; the video goes to the queue', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [{ path: set.i3d('flow', 157, 'legacy03').path, name: 'flow_charades.pt' }, { path: FIXTURE }]);
  const model = page.getByTestId('model');
  await expect(model).toHaveCount(1, { timeout: 120_000 });
  await expect(model).toHaveAttribute('data-modality', 'flow');
  await expect(model).toContainText('157 classes');
  await expect(page.getByTestId('queue-item')).toHaveCount(1);
  await expect(page.getByTestId('queue-item')).toContainText('v_GGSY1Qvo990.mp4');
});

test('a plain-http URL to another host is refused with E_URL_SCHEME before any request', async ({ page }) => {
  let requested = 0;
  await page.context().route('http://models.example.org/**', (route) => {
    requested++;
    return route.fulfill({ status: 404 });
  });
  await page.goto('/');
  const field = page.getByTestId('model-url');
  await field.fill('http://models.example.org/rgb_imagenet.pt');
  await field.press('Enter');
  const failed = page.getByTestId('model-import').filter({ hasText: 'rgb_imagenet.pt' });
  await expect(failed.getByRole('alert')).toHaveAttribute('data-code', 'E_URL_SCHEME');
  await expect(failed.getByRole('alert')).toContainText('only for localhost');
  expect(requested).toBe(0);
  await expect(page.getByTestId('model')).toHaveCount(0);
});
