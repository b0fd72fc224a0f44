/**
 * The WebAssembly TV-L1 kernel module in Node: src/flow/wasm/generated/tvl1.wasm, read from disk and compiled once
 * per process. Selected by the `#flow-wasm` import condition `node` (package.json); the browser variant is
 * ./browser.ts (same API). This file does not build the module (src/ does not import tools/): the Node entry
 * points do, before they load it — the vitest globalSetup, `npm run flow` (tools/cli/flow.ts) and
 * `npm run build:wasm` (all through tools/build-wasm.mjs, which skips an up-to-date build).
 */
import { readFile } from 'node:fs/promises';

/** Where tools/build-wasm.mjs writes the module. */
export const TVL1_WASM_URL = new URL('./generated/tvl1.wasm', import.meta.url);

let compiled: Promise<WebAssembly.Module> | null = null;

/** The compiled kernel module; rejects when it is not built or this runtime lacks WebAssembly SIMD. */
export function compileTVL1WasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(TVL1_WASM_URL)
    .catch((e: unknown) => {
      throw new Error(`${TVL1_WASM_URL.pathname} cannot be read (run npm run build:wasm): ${e instanceof Error ? e.message : String(e)}`);
    })
    .then((bytes) => WebAssembly.compile(bytes))
    .catch((e: unknown) => {
      compiled = null; // try again next time (e.g. after a build)
      throw e;
    });
  return compiled;
}
