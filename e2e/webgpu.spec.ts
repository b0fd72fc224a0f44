/**
 * WebGPU (Chromium's software adapter, ~100× slower than a GPU: tiny inputs only) against WASM: the same ONNX
 * graphs give the same outputs, a whole extraction agrees, and a device lost mid-video finishes on WASM.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ensureCheckpoints } from '../test/support/reference';
import { CACHE, FIXTURE, HARNESS, ROOT } from './support/fixtures';
import { serveFile } from './support/page';
import type { ExtractSettings } from '../src/worker/pipeline.api';

test.describe.configure({ timeout: 600_000 });

async function harness(page: Page) {
  await page.goto(HARNESS);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

function convert(ckpt: string, dtype: string): string {
  const dir = resolve(CACHE, 'webgpu');
  mkdirSync(dir, { recursive: true });
  const out = resolve(dir, `${ckpt.split('/').pop()}.${dtype}.onnx`);
  execFileSync('npx', ['tsx', 'tools/cli/convert.ts', ckpt, '--out', out, '--dtype', dtype], { cwd: ROOT, stdio: 'ignore' });
  return out;
}

// fp32 on WebGPU is also what the extraction below and gpu-verify.spec.ts run: its own check is in the long set
for (const dtype of ['fp32', 'fp16', 'q8']) {
  test(`the ${dtype} graph gives the same features on WebGPU as on WASM (slim model, 9 frames)`, async ({ page }) => {
    test.skip(dtype === 'fp32' && process.env.I3D_FULL !== '1', 'covered by the extraction test; all of them with I3D_FULL=1');
    const set = await ensureCheckpoints({ divisor: 8 });
    await harness(page);
    const url = await serveFile(page, convert(set.i3d('rgb', 400).path, dtype), `rgb-${dtype}.onnx`);
    const r = await page.evaluate((u) => window.harness.modelOnDevices(u, 3, 9), url);
    console.log(dtype, JSON.stringify(r));
    expect(r.devices).toEqual(['wasm', 'webgpu']);
    for (const v of Object.values(r.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-3);
  });
}

const base: ExtractSettings = {
  streams: ['flow'],
  models: {},
  dtype: 'fp32',
  device: 'wasm',
  flowBackend: 'cpu',
  fps: null,
  maxFrames: 10,
  flowMode: 'float',
  maxChunkFrames: 256,
};

// The flow stream: TV-L1 and the model both on WebGPU. An RGB extraction on WebGPU (checked, kept, and compared
// with WASM) is what gpu-verify.spec.ts runs; each model pass on the software adapter costs tens of seconds.
test('an extraction on WebGPU (model and TV-L1) agrees with WASM + CPU; a device lost mid-video finishes on WASM + CPU', async ({ page }) => {
  const set = await ensureCheckpoints({ divisor: 8 });
  await harness(page);
  const urls = [{ url: await serveFile(page, set.i3d('flow', 157).path, 'flow.pt'), name: 'flow.pt' }];
  const video = await serveFile(page, FIXTURE);
  const [flow] = await page.evaluate((u) => window.harness.importModels(u, 'fp32'), urls);
  const settings = { ...base, models: { flow } };
  const gpuSettings = { ...settings, device: 'webgpu' as const, flowBackend: 'webgpu' as const };
  const wasm = await page.evaluate(([v, s]) => window.harness.extract('wasm', v, s), [video, settings] as const);
  expect(wasm.meta.streams.flow?.backend).toBe('wasm');
  expect(wasm.meta.flow?.backend).toBe('cpu (WebAssembly SIMD kernels)');
  const gpu = await page.evaluate(([v, s]) => window.harness.extract('gpu', v, s), [video, gpuSettings] as const);
  expect(gpu.meta.streams.flow?.backend).toBe('webgpu');
  expect(gpu.meta.flow?.backend).toBe('webgpu');
  expect(gpu.meta.streams.flow?.fallback).toBeUndefined();
  expect(gpu.meta.streams.flow?.verification).toMatchObject({ verdict: 'pass', cached: false });
  const diff = await page.evaluate(() => window.harness.compareResults('wasm', 'gpu'));
  console.log('webgpu vs wasm extraction', JSON.stringify(diff));
  expect(Object.keys(diff)).toHaveLength(3);
  for (const v of Object.values(diff)) expect(v).toBeLessThanOrEqual(1e-3);

  const lost = await page.evaluate(([v, s]) => window.harness.extract('lost', v, s, true), [video, gpuSettings] as const);
  expect(lost.meta.streams.flow?.backend).toBe('wasm');
  expect(lost.meta.streams.flow?.fallback).toMatch(/webgpu run failed, continued on wasm/);
  expect(lost.meta.flow?.backend).toMatch(/^cpu \(WebGPU device lost/);
  const diffLost = await page.evaluate(() => window.harness.compareResults('wasm', 'lost'));
  for (const v of Object.values(diffLost)) expect(v).toBeLessThanOrEqual(1e-5);
});

test('the published-width model on WebGPU (opt-in: I3D_FULL=1)', async ({ page }) => {
  test.skip(process.env.I3D_FULL !== '1', 'slow on a software adapter; set I3D_FULL=1');
  test.setTimeout(3_600_000);
  const set = await ensureCheckpoints({ divisor: 1 });
  await harness(page);
  const url = await serveFile(page, convert(set.i3d('rgb', 400).path, 'fp32'), 'rgb-full.onnx');
  const r = await page.evaluate((u) => window.harness.modelOnDevices(u, 3, 9), url);
  console.log('full width', JSON.stringify(r));
  for (const v of Object.values(r.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-3);
});
