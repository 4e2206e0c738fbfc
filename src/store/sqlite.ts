/**
 * @module
 * The Store on SQLite: embedded `node:sqlite` on Node and D1 on Workers (see dialect/sqlite.ts).
 */
import { type AsyncSqliteDatabase, type SqliteDialectOptions, sqliteDialect } from './dialect/sqlite.ts'
import { SqlStore } from './sql-store.ts'

export type { AsyncSqliteDatabase }
export type SqliteStoreOptions = SqliteDialectOptions

/** The Store over a drizzle SQLite database with an async driver (D1, or node:sqlite through sqlite-proxy). */
export class SqliteStore extends SqlStore {
  constructor(db: AsyncSqliteDatabase, options: SqliteStoreOptions = {}) {
    super(sqliteDialect(db, options))
  }
}
