#!/usr/bin/env node
// Regenerates docs/screenshot-light.png and docs/screenshot-dark.png: a finished video's entry in the built app
// (vite preview) after two random-weight checkpoints were imported and the fixture video extracted (first 41
// frames, RGB + flow), with a timeline point hovered and its frame shown, in the light and the dark theme. Needs the test checkpoints in
// .cache/reference (any `npm test` run makes them).
// Usage: npx vite build && node tools/screenshot.mjs   (SCREENSHOT_PORT: the preview's port, 4179 by default)
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync, statSync } from 'node:fs';
import { chromium } from '@playwright/test';

const root = new URL('..', import.meta.url).pathname;
const refDir = `${root}.cache/reference`;
const set = readdirSync(refDir).find((d) => /^checkpoints-d8-[0-9a-f]{16}$/.test(d));
if (!set) throw new Error('no slim test checkpoints in .cache/reference: run the tests once');
const models = [`${refDir}/${set}/i3d_rgb_400_d8_zip.pt`, `${refDir}/${set}/i3d_flow_400_d8_zip.pt`];

const port = Number(process.env.SCREENSHOT_PORT ?? 4179);
// its own process group: npx and the vite preview under it end together
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
try {
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 760, height: 900 }, deviceScaleFactor: 1 });
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
  // a point of the timeline: hovered (its readout) and clicked (its frame)
  const point = page.getByTestId('timeline-point').nth(2);
  await point.click();
  await page.getByTestId('timeline-frame').waitFor({ timeout: 120_000 });
  await point.hover();
  mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(300);
    const path = new URL(`../docs/screenshot-${colorScheme}.png`, import.meta.url).pathname;
    await page.getByTestId('queue-item').screenshot({ path });
    console.log(`${path}: ${Math.round(statSync(path).size / 1024)} KB`);
  }
  await browser.close();
} finally {
  process.kill(-server.pid);
}
