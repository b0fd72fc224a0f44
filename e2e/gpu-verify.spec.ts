/**
 * The check of an unknown WebGPU adapter against WASM (src/model/verify.ts, src/model/runtime.ts), on Chromium's
 * software adapter with a slim random-weight model: the first WebGPU load checks one 9-frame input on both
 * devices and keeps the verdict; later loads use it without checking; an adapter whose results disagree (a
 * perturbation injected by the test build's hook) falls back to WASM with a note in meta.json and in the UI.
 */
import { expect, test, type Page } from '@playwright/test';
import { ensureCheckpoints } from '../test/support/reference';
import { FIXTURE, HARNESS, TEST_BUILD_PORT } from './support/fixtures';
import { dropFiles, serveFile } from './support/page';
import type { ExtractSettings } from '../src/worker/pipeline.api';

test.describe.configure({ timeout: 600_000 });

async function harness(page: Page) {
  await page.goto(HARNESS);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const base: ExtractSettings = {
  streams: ['rgb'],
  models: {},
  dtype: 'fp32',
  device: 'webgpu',
  flowBackend: 'cpu',
  fps: null,
  maxFrames: 10,
  flowMode: 'float',
  maxChunkFrames: 256,
};

test('a WebGPU adapter is checked against WASM once per model and version; one that disagrees falls back to WASM with a note', async ({ page }) => {
  const set = await ensureCheckpoints({ divisor: 8 });
  await harness(page);
  const checkpoint = set.i3d('rgb', 400).path;
  const modelUrl = await serveFile(page, checkpoint, 'rgb.pt');
  const video = await serveFile(page, FIXTURE);
  const [rgb] = await page.evaluate((u) => window.harness.importModels([{ url: u, name: 'rgb.pt' }], 'fp32'), modelUrl);
  const settings = { ...base, models: { rgb } };
  const extract = (id: string, perturb?: number) =>
    page.evaluate(([i, v, s, p]) => window.harness.extract(i, v, s, false, p), [id, video, settings, perturb] as const);

  // the first WebGPU load checks the adapter: it agrees
  const first = (await extract('first')).meta.streams.rgb!;
  console.log('first', JSON.stringify(first.verification));
  expect(first.backend).toBe('webgpu');
  expect(first.fallback).toBeUndefined();
  expect(first.verification).toMatchObject({ verdict: 'pass', cached: false, tolerance: 1e-3 });
  expect(first.verification!.maxDiff).toBeLessThanOrEqual(1e-3);
  expect(first.verification!.adapter).not.toBe('');

  // the next video of the queue: the model is kept, nothing is checked again
  const kept = (await extract('kept')).meta.streams.rgb!;
  expect(kept.backend).toBe('webgpu');
  expect(kept.verification).toEqual({ ...first.verification, cached: true });

  // a new queue loads the model again and uses the stored verdict
  await page.evaluate(() => window.harness.releaseModels());
  const stored = (await extract('stored')).meta.streams.rgb!;
  expect(stored.backend).toBe('webgpu');
  expect(stored.fallback).toBeUndefined();
  expect(stored.verification).toEqual({ ...first.verification, cached: true });

  // an adapter whose results are off by 5 %: the model runs on WASM, and meta.json says why
  await page.evaluate(() => window.harness.releaseModels());
  const bad = (await extract('perturbed', 0.05)).meta.streams.rgb!;
  console.log('perturbed', JSON.stringify(bad));
  expect(bad.backend).toBe('wasm');
  expect(bad.model.compute).toBe('fp32');
  expect(bad.verification).toMatchObject({ verdict: 'fail', cached: false, tolerance: 1e-3, adapter: first.verification!.adapter });
  expect(bad.verification!.maxDiff).toBeGreaterThan(1e-2);
  expect(bad.fallback).toMatch(/^webgpu results disagree with wasm on .+ \(relative difference .+ > 1\.0e-3\), ran on wasm$/);
  const diff = await page.evaluate(() => window.harness.compareResults('first', 'perturbed'));
  for (const v of Object.values(diff)) expect(v).toBeLessThanOrEqual(1e-3);

  // the failing verdict is kept: the app (same origin, its own worker) goes straight to WASM and shows the note
  await page.goto(`http://127.0.0.1:${TEST_BUILD_PORT}/`);
  await expect(page.getByTestId('model')).toHaveCount(1, { timeout: 60_000 });
  await page.getByTestId('stream-flow').uncheck();
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('webgpu');
  await page.getByTestId('max-frames').fill('10');
  await dropFiles(page, [{ path: FIXTURE }]);
  const item = page.getByTestId('queue-item');
  await expect(item).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('run').click();
  await expect(item).toHaveAttribute('data-status', /done|error/, { timeout: 400_000 });
  await expect(item.getByTestId('error')).toHaveCount(0);
  const note = item.getByTestId('fallback');
  await expect(note).toBeVisible();
  await expect(note).toHaveAttribute('data-stream', 'rgb');
  await expect(note).toHaveAttribute('data-verdict', 'fail');
  await expect(note).toContainText(/rgb model ran on wasm: webgpu results disagree with wasm on .+ stored verdict\), ran on wasm/);
});
