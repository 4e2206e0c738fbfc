/**
 * @module
 * The Store on PostgreSQL (see dialect/pg.ts).
 */
import { type AnyPgDatabase, type PgDialectOptions, pgDialect } from './dialect/pg.ts'
import { SqlStore } from './sql-store.ts'

export type { AnyPgDatabase }
export type PgStoreOptions = PgDialectOptions

/** The Store over a drizzle PostgreSQL database. */
export class PgStore extends SqlStore {
  constructor(db: AnyPgDatabase, options: PgStoreOptions = {}) {
    super(pgDialect(db, options))
  }
}
