/**
 * The browser side of the I3D benchmarks: a cross-origin isolated page (WASM threads) whose modules are the app's
 * own, served by a Vite dev server without HMR, plus model files from .cache/bench-i3d; driven through
 * src/app/harness-i3d.ts (`window.i3d`).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { createServer as createViteServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>i3d bench</title></head><body>
<script type="module">
import { i3dHarness } from '/src/app/harness-i3d.ts';
window.i3d = i3dHarness;
document.body.dataset.ready = 'true';
</script></body></html>`;

/** Static server: the bench page, model files, everything else through Vite (the app's modules). */
export async function startServer(root: string, modelDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  // no HMR, no file watching: other people's edits must not reload the page mid-measurement
  const vite = await createViteServer({
    root,
    server: { middlewareMode: true, headers: ISOLATION, hmr: false, ws: false, watch: null },
    appType: 'custom',
    logLevel: 'warn',
  });
  const server = createHttpServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION)) res.setHeader(k, v);
    const url = req.url ?? '/';
    if (url === '/bench-i3d.html') {
      res.setHeader('content-type', 'text/html');
      res.end(PAGE);
      return;
    }
    if (url.startsWith('/__models/')) {
      try {
        const body = readFileSync(join(modelDir, decodeURIComponent(url.slice('/__models/'.length)).replace(/[/\\]/g, '')));
        res.setHeader('content-type', 'application/octet-stream');
        res.end(body);
      } catch {
        res.statusCode = 404;
        res.end();
      }
      return;
    }
    vite.middlewares(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: async () => {
      await vite.close();
      await new Promise((r) => server.close(r));
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
}

/** A fresh bench page with its WASM thread count set; `console` collects ORT profiling lines. */
export async function openPage(browserUrl: string, threads: number, browser: Browser): Promise<{ page: Page; profileLines: string[] }> {
  const page = await browser.newPage();
  const profileLines: string[] = [];
  page.on('console', (m) => {
    const t = m.text();
    if (t.includes('"cat" :')) profileLines.push(t);
  });
  await page.goto(`${browserUrl}/bench-i3d.html`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 120_000 });
  const init = await page.evaluate((n) => window.i3d.i3dInit(n), threads);
  if (!init.isolated) throw new Error('the bench page is not cross-origin isolated: WASM would run single-threaded');
  return { page, profileLines };
}

export interface ProfileEvent {
  name?: string;
  dur?: number;
  cat?: string;
  args?: { op_name?: string };
}

/** ORT's profiling events from console lines (one JSON event per line). */
export function parseProfile(lines: string[]): ProfileEvent[] {
  const out: ProfileEvent[] = [];
  for (const block of lines) {
    for (const raw of block.split('\n')) {
      const l = raw.trim().replace(/^\[/, '').replace(/,?\]?$/, '');
      if (!l.startsWith('{')) continue;
      try {
        out.push(JSON.parse(l) as ProfileEvent);
      } catch {
        // not an event line
      }
    }
  }
  return out;
}

declare global {
  interface Window {
    i3d: typeof import('../../../src/app/harness-i3d').i3dHarness;
  }
}

