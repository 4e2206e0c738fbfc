// Applies migrations/sqlite to the test D1 database before the workerd tests, as wrangler does on deploy.
import { applyD1Migrations, env } from 'cloudflare:test'

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
