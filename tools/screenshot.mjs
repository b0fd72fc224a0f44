#!/usr/bin/env node
// Regenerates docs/screenshot.png: the built app (vite preview) with two random-weight checkpoints imported and
// the fixture video extracted (first 41 frames, RGB + flow). Needs the test checkpoints in .cache/reference
// (any `npm test` run makes them). Usage: npx vite build && node tools/screenshot.mjs
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const root = new URL('..', import.meta.url).pathname;
const refDir = `${root}.cache/reference`;
const set = readdirSync(refDir).find((d) => /^checkpoints-d8-[0-9a-f]{16}$/.test(d));
if (!set) throw new Error('no slim test checkpoints in .cache/reference: run the tests once');
const models = [`${refDir}/${set}/i3d_rgb_400_d8_zip.pt`, `${refDir}/${set}/i3d_flow_400_d8_zip.pt`];

const port = 4179;
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
try {
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const video = readFileSync(new URL('../../shared/fixtures/v_GGSY1Qvo990.mp4', import.meta.url));
  await page.route('**/__shot__/video.mp4', (route) => route.fulfill({ body: video }));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByTestId('model-input').setInputFiles(models);
  await page
    .getByTestId('model')
    .nth(1)
    .waitFor({ timeout: 120_000 })
    .catch(async (e) => {
      console.error(await page.getByTestId('models').innerText());
      throw e;
    });
  await page.getByTestId('max-frames').fill('41');
  await page.evaluate(async () => {
    const blob = await (await fetch('/__shot__/video.mp4')).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'v_GGSY1Qvo990.mp4', { type: 'video/mp4' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.locator('[data-testid="queue-item"][data-status="ready"]').waitFor({ timeout: 120_000 });
  await page.getByTestId('run').click();
  await page.locator('[data-testid="queue-item"][data-status="done"]').waitFor({ timeout: 600_000 });
  await page.waitForTimeout(500);
  mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
  await page.screenshot({ path: new URL('../docs/screenshot.png', import.meta.url).pathname, fullPage: true });
  await browser.close();
} finally {
  server.kill();
}
