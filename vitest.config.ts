import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
  },
});
