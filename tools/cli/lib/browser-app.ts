/**
 * Node side of the commands that run the app's own code in headless Chromium (Debian's, via Playwright):
 * make sure the app is built, serve dist/ with the cross-origin isolation headers (vite preview, same config as
 * `npm start`), and open a page of it.
 *
 * Chromium runs on a profile of its own in a temporary folder (removed when the session closes), not in a
 * Playwright context: those are off the record, and an off-the-record profile keeps the origin's storage in the
 * browser process's memory. The app stores each imported checkpoint and its converted model in OPFS, so every
 * run held them there (121 MiB of the browser process's memory for both published-width checkpoints at q8).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { preview, type Plugin, type PreviewServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

export { CHROMIUM, CHROMIUM_ARGS, serveFile } from './chromium';

export const ROOT = resolve(import.meta.dirname, '../../..');
function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * The two builds: `product` is what `npm start` serves (dist/: the app and the headless page the CLI drives);
 * `test` (dist-test/, `vite build --mode test`) adds the test harness page (e2e/harness/) and the test hooks.
 */
export type BuildKind = 'product' | 'test';

export const BUILD_DIRS: Record<BuildKind, string> = { product: 'dist', test: 'dist-test' };
/** A page every build of that kind has (its mtime is the build's). */
const BUILD_MARK: Record<BuildKind, string> = { product: 'headless.html', test: 'e2e/harness/harness.html' };

/** True when the build is missing or older than a source of it (src/, public/, the pages, the config). */
export function buildIsStale(kind: BuildKind = 'product'): boolean {
  const built = resolve(ROOT, BUILD_DIRS[kind], BUILD_MARK[kind]);
  if (!existsSync(built)) return true;
  const sources = ['src', 'public', 'index.html', 'headless.html', 'vite.config.ts', 'package.json', ...(kind === 'test' ? ['e2e/harness'] : [])]
    .map((p) => resolve(ROOT, p))
    .filter((p) => existsSync(p));
  return Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
}

/** Builds `kind` when it is missing or stale (or when `force`). */
export function ensureBuilt(force = false, kind: BuildKind = 'product'): void {
  if (!force && !buildIsStale(kind)) return;
  console.error(`building the app (${BUILD_DIRS[kind]}/ is missing or older than its sources)`);
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', ...(kind === 'test' ? ['--mode', 'test'] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}

export interface AppSession {
  /** The browser's one context: its pages share the origin's storage (OPFS: the imported models, the results). */
  context: BrowserContext;
  page: Page;
  url: string;
  /** Another page of the same app (its own JavaScript realm and pipeline worker), ready, with the same log. */
  newPage(): Promise<Page>;
  /**
   * A same-origin URL the page can POST one file to; its body is streamed into `path` (created or replaced). One
   * use; a URL nobody registered is refused. This is how results leave the page: downloads without a user gesture
   * are stopped by Chromium after the first few.
   */
  receiveAt(path: string): string;
  close(): Promise<void>;
}

/** The test build's harness page (window.harness). */
export const HARNESS_PAGE = '/e2e/harness/harness.html';

const RECEIVE = '/__cli-receive/';

/** The preview server's end of receiveAt(): POST RECEIVE<token> writes the body to the path under that token. */
function receiver(targets: Map<string, string>): Plugin {
  return {
    name: 'cli-receive',
    configurePreviewServer(server) {
      server.middlewares.use(RECEIVE, (req, res, next) => {
        if (req.method !== 'POST') return next();
        const token = (req.url ?? '').slice(1);
        const path = targets.get(token);
        if (path === undefined) {
          res.statusCode = 404;
          res.end('nothing is expected at this address');
          return;
        }
        targets.delete(token);
        pipeline(req, createWriteStream(path)).then(
          () => {
            res.statusCode = 204;
            res.end();
          },
          (e: unknown) => {
            res.statusCode = 500;
            res.end(`${path}: ${e instanceof Error ? e.message : String(e)}`);
          },
        );
      });
    },
  };
}

const PROFILE_PREFIX = 'i3d-app-profile-';

/** The pid of the process whose browser profile folder (in the temporary directory) this is; null for other names. */
export function profileOwner(name: string): number | null {
  const pid = Number(new RegExp(`^${PROFILE_PREFIX}(\\d+)-`).exec(name)?.[1]);
  return pid > 0 ? pid : null;
}

/** True when a process with this pid runs (or is not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A fresh profile folder (named after this process), after removing those of processes that are gone: a command
 * killed outright (SIGKILL, a lost machine) cannot remove its own, and each holds the models it imported.
 */
function freshProfile(): string {
  for (const name of readdirSync(tmpdir())) {
    const pid = profileOwner(name);
    if (pid === null || pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's folder on a shared machine: not ours to remove
    }
  }
  return mkdtempSync(join(tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
}

/** Serves a build of the app on a free local port and opens `pagePath` in headless Chromium. */
export async function openApp(pagePath: string, opts: { log?: (line: string, page: Page) => void; build?: BuildKind } = {}): Promise<AppSession> {
  const kind = opts.build ?? 'product';
  ensureBuilt(false, kind);
  const targets = new Map<string, string>();
  const server: PreviewServer = await preview({
    root: ROOT,
    plugins: [receiver(targets)],
    logLevel: 'silent',
    build: { outDir: BUILD_DIRS[kind] },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the preview server did not start');
  const profile = freshProfile();
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  process.once('exit', removeProfile);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, acceptDownloads: true });
  } catch (e) {
    removeProfile();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
    throw e;
  }
  const url = new URL(pagePath, base).href;
  // the profile opens with one blank page: the first page of the app takes it
  let blank: Page | undefined = context.pages()[0];
  const newPage = async () => {
    const page = blank ?? (await context.newPage());
    blank = undefined;
    if (opts.log) {
      const log = opts.log;
      page.on('console', (m) => log(m.text(), page));
      page.on('pageerror', (e) => log(`page error: ${e.message}`, page));
    }
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
    return page;
  };
  const page = await newPage();
  return {
    context,
    page,
    url,
    newPage,
    receiveAt(path) {
      const token = randomUUID();
      targets.set(token, path);
      return RECEIVE + token;
    },
    async close() {
      await context.close();
      removeProfile();
      process.off('exit', removeProfile);
      await new Promise<void>((r) => server.httpServer.close(() => r()));
    },
  };
}
