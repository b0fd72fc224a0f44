#!/usr/bin/env node
// Builds the app and serves it locally (with the cross-origin isolation headers it needs), printing the URL.
import { spawnSync, spawn } from 'node:child_process';

const port = process.env.PORT ?? '4173';
const host = process.env.HOST ?? '127.0.0.1';
const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const server = spawn('npx', ['vite', 'preview', '--host', host, '--port', port, '--strictPort'], { stdio: ['ignore', 'pipe', 'inherit'] });
server.stdout.on('data', (chunk) => {
  const text = String(chunk);
  if (/Local:/.test(text)) console.log(`\nI3D features is running. Open http://${host}:${port}/ in Chromium or Chrome (Ctrl+C stops it).\n`);
  else process.stdout.write(text);
});
server.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
