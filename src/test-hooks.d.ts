/**
 * True only in the test build (the harness pages' build and Vitest): code behind `if (__TEST_HOOKS__)` is removed
 * from the product bundle by the minifier. Set by vite.config.ts / vitest.config.ts `define`.
 */
declare const __TEST_HOOKS__: boolean;
