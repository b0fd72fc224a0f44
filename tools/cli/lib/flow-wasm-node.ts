/**
 * The WebAssembly TV-L1 kernel module in Node: builds src/flow/wasm/generated/tvl1.wasm when it is missing or stale
 * (tools/build-wasm.mjs, AssemblyScript from npm) and compiles it once per process.
 */
import { readFileSync } from 'node:fs';
import { buildWasm } from '../../build-wasm.mjs';

let compiled: Promise<WebAssembly.Module> | null = null;

/** The compiled kernel module; rejects when it cannot be built or this runtime lacks WebAssembly SIMD. */
export function loadTVL1WasmModule(): Promise<WebAssembly.Module> {
  compiled ??= buildWasm().then((path) => WebAssembly.compile(readFileSync(path)));
  return compiled;
}
