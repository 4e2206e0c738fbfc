/**
 * @module
 * Embedded SQLite on Node: a `node:sqlite` file (no native addon to compile) behind drizzle's sqlite-proxy,
 * so the same SqliteStore class that serves D1 serves it. Migrations from `migrations/sqlite` are applied
 * on open inside one `BEGIN IMMEDIATE`, so two processes opening the same file cannot both apply them.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/sqlite-proxy'
import { migrate } from 'drizzle-orm/sqlite-proxy/migrator'
import { SqliteStore } from '../../store/sqlite.ts'
import type { OpenedStore } from './open-store.ts'
import { ensurePrivateFile, tightenFile } from './private-files.ts'
import { startCheckpointer } from './sqlite-checkpointer.ts'
import { groupCommit, type RunStatement } from './sqlite-group-commit.ts'

/** Resolved from this file, not the working directory, so the gateway can start from anywhere. */
const migrationsFolder = fileURLToPath(new URL('../../../migrations/sqlite', import.meta.url))

/** Statements are prepared once per distinct SQL text; the store issues a small fixed set of them. */
const MAX_CACHED_STATEMENTS = 200

/** Opens (creating if needed) the SQLite database at `path`, or an in-memory one for `:memory:`. */
export async function openSqlite(path: string): Promise<OpenedStore> {
  const onDisk = path !== ':memory:'
  // SQLite would create the file 0644 (less the umask); it creates the -wal and -shm files with the
  // database file's mode, so a 0600 database keeps its companions 0600 too.
  if (onDisk) ensurePrivateFile(path)
  const sqlite = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5_000 })
  // WAL lets readers run beside the single writer; NORMAL sync is durable in WAL mode except on power loss.
  sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL')
  // Left by a crash or an older version with a wider mode: SQLite reuses them as they are.
  if (onDisk) for (const suffix of ['-wal', '-shm']) tightenFile(`${path}${suffix}`)

  const cache = new Map<string, StatementSync>()
  const prepare = (query: string): StatementSync => {
    let stmt = cache.get(query)
    if (!stmt) {
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear()
      stmt = sqlite.prepare(query)
      // drizzle maps result rows by column position, never by name.
      stmt.setReturnArrays(true)
      cache.set(query, stmt)
    }
    return stmt
  }

  // The proxy protocol: `get` wants one row as an array of values (undefined when none), `all` and
  // `values` want arrays of value arrays, and `run` wants no rows.
  const run: RunStatement = (query, params, method) => {
    const stmt = prepare(query)
    const args = params as SQLInputValue[]
    if (method === 'run') {
      stmt.run(...args)
      return { rows: [] }
    }
    if (method === 'get') return { rows: stmt.get(...args) as unknown as unknown[] }
    return { rows: stmt.all(...args) }
  }
  const db = drizzle(groupCommit(sqlite, run))

  try {
    sqlite.exec('BEGIN IMMEDIATE')
    try {
      await migrate(
        db,
        async (queries) => {
          for (const q of queries) sqlite.exec(q)
        },
        { migrationsFolder },
      )
      sqlite.exec('COMMIT')
    } catch (err) {
      sqlite.exec('ROLLBACK')
      throw err
    }
  } catch (err) {
    sqlite.close()
    throw err
  }

  // On disk, checkpoints run on a thread of their own (an in-memory database has no WAL).
  const checkpointer = onDisk ? startCheckpointer(sqlite, path) : null
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await checkpointer?.close()
    sqlite.close()
  }
  return { store: new SqliteStore(db, { close }), close }
}
