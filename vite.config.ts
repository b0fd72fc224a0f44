import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { buildWasm } from './tools/build-wasm.mjs';

/** Cross-origin isolation: needed for SharedArrayBuffer (decode back-pressure) and WASM threads. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Content-Security-Policy of the app (served by `vite preview`, i.e. `npm start` and the CLI, and kept offline by
 * the service worker, which caches the responses with their headers): everything from this origin, WebAssembly
 * compilation allowed ('wasm-unsafe-eval', not 'unsafe-eval'), no inline script or style, no plugins, no framing.
 * The only other origins a page may connect to are the model URLs a user types and confirms: https anywhere, http
 * on this machine (a local model server).
 *
 * Why `https:` and not just the URL the user confirmed: this policy is a fixed response header (and the service
 * worker replays it offline); a page can tighten its policy at run time but never widen it, so naming a URL the
 * user types later would take a server that writes a new policy per download. The gate is the import itself
 * (src/model/url-download.ts): the URL is checked before any request (https, or http to localhost/127.0.0.1 only:
 * E_URL_SCHEME), no credentials are sent, and once the response headers are in the host and size are shown and
 * nothing of the body is read until the user says Download (Cancel aborts the request). Only the checkpoint bytes
 * the user agreed to are read, through the restricted unpickler; no script can come from there (script-src 'self').
 */
const CONNECT = "'self' https: http://localhost:* http://127.0.0.1:*";
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  `connect-src ${CONNECT}`,
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dev server's policy: the same, plus a nonce for the inline module Vite's React refresh injects and the styles
 * its client injects (`html.cspNonce`), and the HMR websocket. Development only: the nonce is fixed.
 */
const DEV_NONCE = 'i3d-dev';
const DEV_CSP = CSP.replace("script-src 'self'", `script-src 'self' 'nonce-${DEV_NONCE}'`)
  .replace("style-src 'self'", `style-src 'self' 'nonce-${DEV_NONCE}'`)
  .replace(`connect-src ${CONNECT}`, `connect-src ${CONNECT} ws://localhost:* ws://127.0.0.1:*`);

/** Builds the WebAssembly TV-L1 kernels (gitignored output, imported with `?url`) before every build and dev server. */
const tvl1Wasm = {
  name: 'tvl1-wasm',
  buildStart: () => buildWasm().then(() => undefined),
  handleHotUpdate: ({ file }: { file: string }) => (file.includes('/src/flow/wasm/assembly/') ? buildWasm().then(() => undefined) : undefined),
};

/**
 * Two builds: the product (`vite build`: the app and the headless page the CLI drives, into dist/) and the test
 * build (`vite build --mode test`, into dist-test/: the same app plus the test harness page e2e/harness/harness.html
 * and the test hooks behind __TEST_HOOKS__, which the product's minifier removes).
 */
export default defineConfig(({ mode, command, isPreview }) => {
  const test = mode === 'test';
  return {
    define: { __TEST_HOOKS__: JSON.stringify(test) },
    plugins: [
      tvl1Wasm,
      react(),
      VitePWA({
        // a new version waits for the user's click (src/app/main.tsx): never a reload in the middle of a batch
        registerType: 'prompt',
        injectRegister: false,
        manifest: {
          name: 'I3D features',
          short_name: 'I3D',
          description: 'I3D video features computed in your browser',
          theme_color: '#1d3557',
          background_color: '#ffffff',
          display: 'standalone',
          // PNGs drawn by tools/icons.mjs (committed in public/): what install prompts and home screens need
          icons: [
            { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
            { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
            { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
            { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
        },
        workbox: {
          globPatterns: ['**/*.{js,mjs,css,html,svg,png,wasm,txt,json}'],
          globIgnores: ['**/harness*', '**/headless*', '**/e2e/**'],
          maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
          // the first install controls the open page at once (it works offline from the first visit); an update
          // waits (no skipWaiting) until the user applies it
          clientsClaim: true,
          navigateFallbackDenylist: [/^\/e2e\//, /^\/headless/],
        },
      }),
    ],
    server: { headers: { ...isolation, 'Content-Security-Policy': DEV_CSP } },
    html: command === 'serve' && !isPreview ? { cspNonce: DEV_NONCE } : undefined,
    preview: { headers: { ...isolation, 'Content-Security-Policy': CSP }, host: '127.0.0.1', port: 4173, strictPort: true },
    worker: { format: 'es' },
    optimizeDeps: { exclude: ['@ffmpeg/core', 'onnxruntime-web'] },
    build: {
      target: 'es2022',
      outDir: test ? 'dist-test' : 'dist',
      chunkSizeWarningLimit: 4096,
      rollupOptions: {
        input: { main: 'index.html', headless: 'headless.html', ...(test ? { harness: 'e2e/harness/harness.html' } : {}) },
      },
    },
  };
});
