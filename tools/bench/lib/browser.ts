/**
 * The app's harness page (harness.html, `window.harness`) in headless Chromium for the benchmark stages, with
 * local files served on the page's own origin. Rebuilds dist/ once when the build there predates the bench
 * harness functions.
 */
import { basename } from 'node:path';
import type { Page } from '@playwright/test';
import { type AppSession, ensureBuilt, openApp, serveFile as serveAppFile } from '../../cli/lib/browser-app';

const BENCH_FUNCTIONS = ['benchEnvironment', 'benchDecode', 'benchFlowPool', 'benchFlowWebgpu', 'benchI3d'];

const hasBenchFunctions = (page: Page) =>
  page.evaluate((names) => names.every((n) => typeof (window.harness as unknown as Record<string, unknown> | undefined)?.[n] === 'function'), BENCH_FUNCTIONS);

/** Rebuilds dist/ when a source of the build is newer. */
export function ensureFreshBuild(): void {
  ensureBuilt();
}

export async function openHarness(): Promise<AppSession> {
  let app = await openApp('/harness.html');
  if (await hasBenchFunctions(app.page)) return app;
  await app.close();
  console.log('bench: dist/ predates the bench harness functions; rebuilding');
  ensureBuilt(true);
  app = await openApp('/harness.html');
  if (!(await hasBenchFunctions(app.page))) {
    await app.close();
    throw new Error('the built harness page has no bench functions');
  }
  return app;
}

/** A new page (own context, own JavaScript realm: a fresh onnxruntime) on the harness. */
export async function freshPage(app: AppSession): Promise<Page> {
  const page = await app.browser.newPage();
  await page.goto(app.url);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
  return page;
}

/** Serves `path` at /__bench__/<name> on the page's origin (intercepted, never reaches the server). */
export const serveFile = (page: Page, path: string, name = basename(path)) => serveAppFile(page, path, name, '__bench__');
