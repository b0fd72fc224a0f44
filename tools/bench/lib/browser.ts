/**
 * The app's harness page (harness.html, `window.harness`) in headless Chromium for the benchmark stages, with
 * local files served on the page's own origin. Rebuilds dist/ once when the build there predates the bench
 * harness functions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { type AppSession, ROOT, ensureBuilt, openApp } from '../../cli/lib/browser-app';

const BENCH_FUNCTIONS = ['benchEnvironment', 'benchDecode', 'benchFlowPool', 'benchFlowWebgpu', 'benchI3d'];

const hasBenchFunctions = (page: Page) =>
  page.evaluate((names) => names.every((n) => typeof (window.harness as unknown as Record<string, unknown> | undefined)?.[n] === 'function'), BENCH_FUNCTIONS);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Rebuilds dist/ when a source of the build (src/, public/, the pages, vite.config.ts, package.json) is newer. */
export function ensureFreshBuild(): void {
  const built = join(ROOT, 'dist/harness.html');
  const sources = ['src', 'public', 'index.html', 'harness.html', 'cli.html', 'vite.config.ts', 'package.json'].map((p) => join(ROOT, p)).filter((p) => existsSync(p));
  const stale = !existsSync(built) || Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
  if (stale) console.log('bench: dist/ is older than its sources; rebuilding');
  ensureBuilt(stale);
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
export async function serveFile(page: Page, path: string, name = basename(path)): Promise<string> {
  const url = `/__bench__/${encodeURIComponent(name)}`;
  const body = readFileSync(path);
  await page.route(`**${url}`, (route) =>
    route.fulfill({ body, headers: { 'content-type': 'application/octet-stream', 'cross-origin-resource-policy': 'same-origin' } }),
  );
  return url;
}
