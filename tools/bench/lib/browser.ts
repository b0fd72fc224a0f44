/**
 * The bench's one browser page: the test build's harness page (e2e/harness/harness.html in dist-test/,
 * `window.harness`, which includes the bench functions of e2e/harness/bench.ts) in headless Chromium, with local
 * files served on the page's own origin. Rebuilds dist-test/ once when the build there predates the bench
 * functions.
 */
import { basename } from 'node:path';
import type { Page } from '@playwright/test';
import { type AppSession, HARNESS_PAGE, ensureBuilt, openApp, serveFile as serveAppFile } from '../../cli/lib/browser-app';

const BENCH_FUNCTIONS = ['benchEnvironment', 'benchDecode', 'benchFlowPool', 'benchFlowWebgpu', 'benchI3d'];

const hasBenchFunctions = (page: Page) =>
  page.evaluate((names) => names.every((n) => typeof (window.harness as unknown as Record<string, unknown> | undefined)?.[n] === 'function'), BENCH_FUNCTIONS);

/**
 * Rebuilds what the stages measure when a source of it is newer: the test build (the harness page of the
 * decode, flow and i3d stages) and the product build (`npm run extract` of the e2e and memory stages), so that
 * no timed run includes a build.
 */
export function ensureFreshBuild(): void {
  ensureBuilt(false, 'test');
  ensureBuilt(false, 'product');
}

/** Opens the harness page of the test build (built first when missing or stale). */
export async function openHarness(): Promise<AppSession> {
  let app = await openApp(HARNESS_PAGE, { build: 'test' });
  if (await hasBenchFunctions(app.page)) return app;
  await app.close();
  console.log('bench: dist-test/ predates the bench harness functions; rebuilding');
  ensureBuilt(true, 'test');
  app = await openApp(HARNESS_PAGE, { build: 'test' });
  if (!(await hasBenchFunctions(app.page))) {
    await app.close();
    throw new Error('the built harness page has no bench functions');
  }
  return app;
}

/** A new page (own JavaScript realm: a fresh onnxruntime) on the harness. */
export async function freshPage(app: AppSession): Promise<Page> {
  const page = await app.context.newPage();
  await page.goto(app.url);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
  return page;
}

/** Serves `path` at /__bench__/<name> on the page's origin (intercepted, never reaches the server). */
export const serveFile = (page: Page, path: string, name = basename(path)) => serveAppFile(page, path, name, '__bench__');
