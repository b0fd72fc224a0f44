/**
 * Debian's Chromium as the tests, the command line and the benchmark launch it, and serving local files to a
 * page on its own origin. Small on purpose: playwright.config.ts imports it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

/** A software WebGPU adapter where there is no GPU; no background traffic (the machine may have no network). */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Serves `path` at /<prefix>/<name> on the page's own origin (intercepted, never reaches a server). */
export async function serveFile(page: Page, path: string, name = basename(path), prefix = '__test__'): Promise<string> {
  const url = `/${prefix}/${encodeURIComponent(name)}`;
  const body = readFileSync(path);
  await page.route(`**${url}`, (route) =>
    route.fulfill({ body, headers: { 'content-type': 'application/octet-stream', 'cross-origin-resource-policy': 'same-origin' } }),
  );
  return url;
}
