import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end tests spawn the compiled CLI: build it once first.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2 cores: one worker per core; simulator files are CPU-bound.
    maxWorkers: 2,
  },
});
