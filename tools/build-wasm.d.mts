/** Types of tools/build-wasm.mjs. */
export const TVL1_WASM: string;
export function buildWasm(options?: { force?: boolean; quiet?: boolean }): Promise<string>;
