/** vitest globalSetup: builds the WebAssembly TV-L1 kernels once before the test files run (skipped when up to date). */
import { buildWasm } from '../../tools/build-wasm.mjs';

export default async function setup(): Promise<void> {
  await buildWasm();
}
