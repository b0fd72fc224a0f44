/**
 * A small static server for a built app folder, on a port of its own, whose files a test can replace while it runs
 * (Playwright's routing does not see the browser's fetch of a service worker script, so a test that publishes a
 * new service worker serves the app itself). Same headers as `vite preview`: cross-origin isolated.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface DistServer {
  url: string;
  /** Serves `body` at `path` (e.g. "/sw.js") from now on instead of the file. */
  replace(path: string, body: string): void;
  close(): Promise<void>;
}

export async function serveDist(root: string): Promise<DistServer> {
  const replaced = new Map<string, string>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = path === '/' ? '/index.html' : path;
    const file = resolve(root, '.' + normalize(rel));
    const headers = {
      'content-type': TYPES[extname(rel)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    };
    const body = replaced.get(rel);
    if (body !== undefined) {
      res.writeHead(200, headers).end(body);
      return;
    }
    if (!file.startsWith(resolve(root))) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (data) => res.writeHead(200, headers).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    replace: (path, body) => void replaced.set(path, body),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
