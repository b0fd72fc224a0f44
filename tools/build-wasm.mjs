#!/usr/bin/env node
// Builds the WebAssembly SIMD TV-L1 kernels (src/flow/wasm/assembly/, AssemblyScript) with the `assemblyscript`
// npm package into src/flow/wasm/generated/tvl1.wasm (gitignored). Skips the build when the sources, this script
// and the compiler version are unchanged (a hash stored beside the output). Safe to run from several processes at
// once (each writes a temporary file and renames it).
//
// Used by: vite.config.ts (before every build / dev server), the vitest globalSetup, the Node tools before they start
// the Node pool (tools/cli/flow.ts, npm run bench; src/flow/wasm/node.ts only reads the output) and `npm run build:wasm`. Usage: node tools/build-wasm.mjs [--force] [--quiet]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIR = join(ROOT, 'src/flow/wasm/assembly');
const ENTRY = join(SOURCE_DIR, 'tvl1.ts');
const OUT_DIR = join(ROOT, 'src/flow/wasm/generated');
export const TVL1_WASM = join(OUT_DIR, 'tvl1.wasm');
const STAMP = join(OUT_DIR, 'tvl1.wasm.sha256');

const ASC_ARGS = ['-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--noExportMemory', '--enable', 'simd', '--use', 'abort='];

function sourceHash(ascVersion) {
  const h = createHash('sha256');
  h.update(`${ascVersion}\n${ASC_ARGS.join(' ')}\n`);
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const f of readdirSync(SOURCE_DIR)
    .filter((n) => n.endsWith('.ts'))
    .sort()) {
    h.update(`\n${f}\n`);
    h.update(readFileSync(join(SOURCE_DIR, f)));
  }
  return h.digest('hex');
}

/** The compiler's version, without loading the compiler (slow) when nothing needs building. */
function ascVersion() {
  return JSON.parse(readFileSync(createRequire(import.meta.url).resolve('assemblyscript/package.json'), 'utf8')).version;
}

/** Builds src/flow/wasm/generated/tvl1.wasm unless it is up to date; returns its path. */
export async function buildWasm({ force = false, quiet = false } = {}) {
  const hash = sourceHash(ascVersion());
  if (!force && existsSync(TVL1_WASM) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash) return TVL1_WASM;
  const asc = await import('assemblyscript/asc');
  if (asc.version !== ascVersion()) throw new Error(`assemblyscript: package.json says ${ascVersion()}, the compiler ${asc.version}`);
  const t0 = performance.now();
  let binary = null;
  const errors = [];
  const { error } = await asc.main([ENTRY, '--outFile', 'tvl1.wasm', ...ASC_ARGS], {
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm')) binary = contents;
    },
    stdout: { write: () => true },
    stderr: {
      write: (chunk) => {
        errors.push(String(chunk));
        return true;
      },
    },
  });
  if (error || !binary) throw new Error(`AssemblyScript build of ${ENTRY} failed: ${error?.message ?? 'no output'}\n${errors.join('')}`);
  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = `${TVL1_WASM}.${process.pid}.tmp`;
  writeFileSync(tmp, binary);
  renameSync(tmp, TVL1_WASM);
  const stampTmp = `${STAMP}.${process.pid}.tmp`;
  writeFileSync(stampTmp, `${hash}\n`);
  renameSync(stampTmp, STAMP);
  if (!quiet)
    process.stderr.write(
      `built ${TVL1_WASM.slice(ROOT.length + 1)} (${binary.length} bytes, asc ${asc.version}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  return TVL1_WASM;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildWasm({ force: process.argv.includes('--force'), quiet: process.argv.includes('--quiet') });
}
