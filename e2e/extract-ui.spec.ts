/**
 * The whole app as a user drives it: import two random-weight checkpoints through the UI, drop the fixture,
 * extract both streams, download the .npz, and check it with numpy against the Python reference pipeline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeDamagedVideos } from '../test/support/damaged-videos';
import { ensureBadFiles, ensureCheckpoints, python, referencePipeline } from '../test/support/reference';
import { CACHE, FIXTURE } from './support/fixtures';
import { dropFiles } from './support/page';

test('import two checkpoints, extract RGB + flow, download the .npz; numpy reads it and it matches the reference', async ({ page }) => {
  test.setTimeout(600_000);
  const set = await ensureCheckpoints({ divisor: 8 });
  const rgb = set.i3d('rgb', 157).path;
  const flow = set.i3d('flow', 157, 'legacy03').path;
  await page.goto('/');
  await expect(page.getByTestId('no-models')).toBeVisible();
  await page.getByTestId('model-input').setInputFiles([rgb, flow]);
  await expect(page.getByTestId('model')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('model-rgb')).not.toHaveValue('');
  await expect(page.getByTestId('model-flow')).not.toHaveValue('');
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill('41');
  await dropFiles(page, [{ path: FIXTURE }]);
  await expect(page.getByTestId('queue-item')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('run').click();
  const item = page.getByTestId('queue-item');
  await expect(item).toHaveAttribute('data-status', /done|error/, { timeout: 400_000 });
  await expect(item.getByTestId('error')).toHaveCount(0);
  for (const top of ['top-rgb', 'top-flow', 'top-joint']) await expect(item.getByTestId(top).locator('li')).toHaveCount(5);
  await expect(item.getByTestId('flow-preview')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId('download-npz').click()]);
  const npz = resolve(CACHE, 'ui-download.npz');
  await download.saveAs(npz);
  const ref = await referencePipeline(FIXTURE, { rgb, flow, extra: ['--max-frames', '41'] });
  const check = execFileSync(
    python(),
    [
      '-c',
      `import numpy as np, sys
z = np.load(sys.argv[1])
for name in ['rgb_fc', 'rgb_map', 'rgb_logits', 'flow_fc', 'flow_map', 'flow_logits']:
    a, b = z[name], np.load(sys.argv[2] + '/' + name + '.npy')
    assert a.shape == b.shape and a.dtype == np.float32, (name, a.shape, b.shape, a.dtype)
    print(name, a.shape, float(np.abs(a - b).max()))`,
      npz,
      ref,
    ],
    { encoding: 'utf8' },
  );
  console.log(check);
  for (const line of check.trim().split('\n')) expect(Number(line.split(' ').pop())).toBeLessThanOrEqual(line.startsWith('rgb') ? 1e-3 : 1e-2);
});

test('a wrong or malicious checkpoint gets its own message in the models panel, and runs nothing', async ({ page }) => {
  const bad = await ensureBadFiles();
  await page.goto('/');
  const files = ['os_system_zip.pt', 'resnet_zip.pt', 'i3d_missing_layer_legacy.pt'];
  await page.getByTestId('model-input').setInputFiles(files.map((f) => bad.path(f)));
  const rows = page.getByTestId('model-import');
  await expect(rows).toHaveCount(3);
  const codes: Record<string, string> = { 'os_system_zip.pt': 'E_PICKLE_GLOBAL', 'resnet_zip.pt': 'E_NOT_I3D', 'i3d_missing_layer_legacy.pt': 'E_I3D_MISSING' };
  for (const [name, code] of Object.entries(codes)) {
    const row = rows.filter({ hasText: name });
    await expect(row).toHaveAttribute('data-stage', 'error');
    await expect(row.getByRole('alert')).toHaveAttribute('data-code', code);
  }
  await expect(page.getByTestId('model')).toHaveCount(0);
  expect(existsSync(bad.marker)).toBe(false);
});

test('a damaged video is extracted and its queue entry shows a decoder-warning badge; a clean one shows none', async ({ page }) => {
  test.setTimeout(300_000);
  const videos = makeDamagedVideos(resolve(CACHE, 'damaged'));
  const set = await ensureCheckpoints({ divisor: 8 });
  await page.goto('/');
  await page.getByTestId('model-input').setInputFiles([set.i3d('rgb', 400).path]);
  await expect(page.getByTestId('model')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('stream-flow').uncheck();
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await dropFiles(page, [{ path: videos.truncated }, { path: videos.clean }]);
  const items = page.getByTestId('queue-item');
  await expect(items).toHaveCount(2);
  for (const item of await items.all()) await expect(item).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('run').click();
  for (const item of await items.all()) await expect(item).toHaveAttribute('data-status', 'done', { timeout: 200_000 });
  const damaged = items.filter({ hasText: 'truncated-tail.mp4' }).getByTestId('decode-warnings');
  await expect(damaged).toBeVisible();
  await expect(damaged).toHaveAttribute('title', /container lists 40 frames, decoded 23/);
  await expect(items.filter({ hasText: 'clean.mp4' }).getByTestId('decode-warnings')).toHaveCount(0);
});
