/**
 * @module
 * PostgreSQL on Node through postgres-js. Migrations from `migrations/postgres` are applied on open; the
 * drizzle migrator records them in `drizzle.__drizzle_migrations`, so reopening is a no-op. Gateways that
 * start together against one database take turns through an advisory lock, so only one applies them.
 */

import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { PgStore } from '../../store/postgres.ts'
import type { OpenedStore } from './open-store.ts'

/** Resolved from this file, not the working directory, so the gateway can start from anywhere. */
const migrationsFolder = fileURLToPath(new URL('../../../migrations/postgres', import.meta.url))

const CONNECT_TIMEOUT_SECONDS = 5
const MAX_BACKOFF_SECONDS = 1

/** Arbitrary but fixed key of the advisory lock that serializes migrations. */
const MIGRATION_LOCK = 0x6564_6765

export async function openPostgres(url: string): Promise<OpenedStore> {
  // The migrator's `IF NOT EXISTS` statements raise NOTICEs that postgres-js would print on every start.
  const client = postgres(url, {
    onnotice: () => {},
    // A restart or failover must not stall queries for long (docs/scaling.md): postgres-js queues a
    // query while it reconnects, and its default backoff grows to 20 s between attempts and its connect
    // timeout is 30 s. Capped at 1 s and 5 s, a write during an outage fails fast (503 through
    // store/unavailable.ts) and the pool is back within a second of the database.
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: (retries: number) =>
      (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, MAX_BACKOFF_SECONDS),
  })
  const db = drizzle({ client })
  try {
    // Session-level lock, so it lives on one reserved connection while the migrator uses the pool.
    const lock = await client.reserve()
    try {
      await lock`select pg_advisory_lock(${MIGRATION_LOCK})`
      await migrate(db, { migrationsFolder })
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {})
      lock.release()
    }
  } catch (err) {
    await client.end({ timeout: 5 })
    throw err
  }

  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await client.end({ timeout: 5 })
  }
  return { store: new PgStore(db, { close }), close }
}
