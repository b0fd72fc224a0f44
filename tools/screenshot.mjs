#!/usr/bin/env node
// Regenerates docs/screenshot.png: the built app, served by `vite preview`, with the fixture video in the queue.
// Usage: npx vite build && node tools/screenshot.mjs
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const port = 4179;
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
try {
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const video = readFileSync(new URL('../../shared/fixtures/v_GGSY1Qvo990.mp4', import.meta.url));
  await page.route('**/__shot__/video.mp4', (route) => route.fulfill({ body: video }));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.evaluate(async () => {
    const blob = await (await fetch('/__shot__/video.mp4')).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'v_GGSY1Qvo990.mp4', { type: 'video/mp4' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.locator('[data-testid="queue-item"][data-status]:not([data-status="probing"])').first().waitFor({ timeout: 120_000 });
  await page.waitForTimeout(500);
  mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
  await page.screenshot({ path: new URL('../docs/screenshot.png', import.meta.url).pathname, fullPage: true });
  await browser.close();
} finally {
  server.kill();
}
