import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

/**
 * Two projects in one run: Node-side tests (real servers started by test/harness on free loopback ports)
 * and workerd-side tests (test/workers), where the same app runs over D1 inside the Workers runtime.
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
          // Vitest's default in run mode is one file fewer than the cores: on a 2-core machine one file at a
          // time (24 minutes). Two keeps both cores busy; three starved the timing-sensitive files.
          maxWorkers: 2,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations('migrations/sqlite'),
                EDGEFAAS_ADMIN_PASSWORD: 'workerd-test-password',
                EDGEFAAS_SECRETS_KEY: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=',
                // Batches nobody settles (a test's leftovers) go back to the queue soon, not after 10 min.
                EDGEFAAS_CF_QUEUE_HOLD_MS: '5000',
                // The callback receiver of test/harness/workerd-backends.ts listens on loopback.
                EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
              },
            },
          })),
        ],
        test: {
          name: 'workerd',
          include: ['test/workers/**/*.test.ts'],
          setupFiles: ['test/workers/apply-migrations.ts'],
          // Node-side servers the workerd tests reach over loopback (URLs handed in with provide/inject).
          globalSetup: ['test/harness/workerd-backends.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
})
