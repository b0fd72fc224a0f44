import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __TEST_HOOKS__: 'true' },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/support/build-wasm.setup.ts', 'test/support/reference.setup.ts'],
  },
});
