/**
 * @module
 * Picks the store driver from the database URL: PostgreSQL for `postgres://` and `postgresql://`, the
 * embedded SQLite file otherwise (`file:` URL, plain path, or nothing for `<dataDir>/edgefaas.db`), and an
 * in-memory SQLite for `:memory:`.
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Store } from '../../store/types.ts'

/** A ready store (migrated) and the way to release its connection; `close` is the same as `store.close`. */
export interface OpenedStore {
  store: Store
  close(): Promise<void>
}

export const DEFAULT_SQLITE_FILE = 'edgefaas.db'

const ACCEPTED =
  'postgres://…, postgresql://…, file:<path>, a plain file path, :memory:, or nothing for <dataDir>/edgefaas.db'

export async function openStore(databaseUrl: string, dataDir: string): Promise<OpenedStore> {
  const url = databaseUrl.trim()
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgres } = await import('./postgres-driver.ts')
    return openPostgres(url)
  }
  const path = sqlitePath(url, dataDir)
  const { openSqlite } = await import('./sqlite-driver.ts')
  return openSqlite(path)
}

/** The SQLite file for a non-PostgreSQL URL; throws for any other scheme. */
export function sqlitePath(url: string, dataDir: string): string {
  if (url === ':memory:') return url
  let path: string
  if (url === '') {
    path = join(dataDir, DEFAULT_SQLITE_FILE)
  } else if (/^file:/i.test(url)) {
    // `file:///abs/path` is a proper URL; `file:rel/path` and `file:/abs/path` are the SQLite-style forms.
    path = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length)
    if (path === ':memory:') return path
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(url)) {
    // Only the scheme is echoed: the rest of a URL may carry credentials.
    const scheme = url.slice(0, url.indexOf(':'))
    throw new Error(`Unsupported database URL scheme "${scheme}:". Use one of: ${ACCEPTED}.`)
  } else {
    path = url
  }
  // A folder created here is private; one that exists is the operator's choice and is left alone.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  return path
}
