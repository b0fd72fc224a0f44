import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __TEST_HOOKS__: 'true' },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // two files at once: most files wait on a child process (Chromium, Python) or run one thread for part of their time
    maxWorkers: 2,
    globalSetup: ['test/support/build-wasm.setup.ts', 'test/support/reference.setup.ts'],
  },
});
