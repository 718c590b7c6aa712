import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    // Two files at a time, whatever the core count: vitest's default on 2 cores is one, and most of
    // the suite's time is spawned CLI processes and database round trips, which overlap well (the
    // whole suite 1198 s → 778 s on a 2-core VM). Each file makes its own databases and folders; more
    // than two would multiply PostgreSQL's connections for little gain.
    maxWorkers: 2,
  },
});
