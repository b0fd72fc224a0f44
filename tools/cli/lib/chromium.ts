/**
 * Debian's Chromium as the tests, the command line and the benchmark launch it, and serving local files to a
 * page on its own origin. Small on purpose: playwright.config.ts imports it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

/**
 * The Chromium features Playwright turns off (playwright-core's launch switches, as installed): Chromium honours only the
 * last `--disable-features` of its command line, so ours repeats them. test/cli/chromium.test.ts compares this list with
 * the one the installed Playwright passes, and fails when Playwright's has grown.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * What a headless run does not need and pays for in memory (PSS, measured on a 10-minute extraction):
 * - the omnibox's WebUI popup, preloaded in a renderer of its own (60–70 MiB);
 * - the on-device model service's GPU driver warm-up, a utility process started a few minutes in (≈ 50 MiB);
 * - a spare renderer kept warm for the next navigation (≈ 20 MiB; the app is one page).
 */
export const HEADLESS_DISABLED_FEATURES = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
  'PreloadTopChromeWebUI',
  'OnDeviceModelWarmDrivers',
  'SpareRendererForSitePerProcess',
];

/** A software WebGPU adapter where there is no GPU; no background traffic (the machine may have no network). */
export const CHROMIUM_ARGS = [
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...HEADLESS_DISABLED_FEATURES].join(',')}`,
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
