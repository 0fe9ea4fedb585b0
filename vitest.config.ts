import { defineConfig } from 'vitest/config';

/**
 * Tests live beside the code (`src/**\/*.test.ts`) and in `test/` (integration, end to end).
 * Each file runs in its own forked process (`pool: 'forks'`): native modules (better-sqlite3) and
 * child servers (redis-server via test/support/redis.ts) behave as in production. TZ is left as the
 * caller set it: the suite must pass under TZ=UTC and TZ=Asia/Shanghai alike, since the code takes
 * its timezone from config, never from the machine.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
