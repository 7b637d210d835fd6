import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // DuckDB work is I/O and native-thread heavy; two cores run two files at a time well.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
