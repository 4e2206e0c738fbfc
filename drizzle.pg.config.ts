/**
 * @module
 * drizzle-kit config for PostgreSQL; migrations land in `migrations/postgres` for the postgres-js migrator.
 */
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.pg.ts',
  out: './migrations/postgres',
})
