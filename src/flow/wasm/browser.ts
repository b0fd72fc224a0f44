/**
 * The WebAssembly TV-L1 kernel module in the browser: the .wasm that tools/build-wasm.mjs builds (the Vite plugin
 * in vite.config.ts runs it before every build), fetched and compiled once per page or worker. Selected by the
 * `#flow-wasm` import condition `default` (package.json); the Node variant is ./node.ts (same API). Loaded with a
 * dynamic import (src/flow/pool.ts).
 */
import wasmUrl from './generated/tvl1.wasm?url';

let compiled: Promise<WebAssembly.Module> | null = null;

/** The compiled kernel module; rejects where WebAssembly SIMD is missing (or the file cannot be fetched). */
export function compileTVL1WasmModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const res = await fetch(wasmUrl);
    if (!res.ok) throw new Error(`${wasmUrl}: HTTP ${res.status}`);
    return WebAssembly.compile(await res.arrayBuffer());
  })().catch((e: unknown) => {
    compiled = null; // try again next time
    throw e;
  });
  return compiled;
}
