/**
 * @module
 * drizzle-kit config for the SQLite dialect (embedded `node:sqlite` and D1). The output folder holds flat
 * `NNNN_name.sql` files that `wrangler d1 migrations apply` reads, plus `meta/` for drizzle's own migrator.
 */
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema.sqlite.ts',
  out: './migrations/sqlite',
})
