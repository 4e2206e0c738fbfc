import { defineConfig } from 'vitest/config'

/**
 * Node-side tests. Real servers (PostgreSQL, processes) are started by test/harness on free loopback ports.
 * The workerd project (test/workers) is added by vitest.workers.config.ts.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
})
