/**
 * @module
 * Statements built once. drizzle builds a query's SQL text from its expression tree on every run, which
 * costs more than SQLite takes to execute a small statement; the hot statements of the async path (a call
 * recorded, leased, finished, acked: several per call) are therefore prepared once per store with
 * placeholders and run with `.execute(values)`, which both dialects' prepared queries have.
 *
 * drizzle runs a placeholder through its column's encoder (a Date to integer milliseconds on SQLite, to
 * `timestamptz` on PostgreSQL; JSON to text) only where it binds values itself — `values()` and `set()`.
 * In a WHERE clause it passes the placeholder's value through as it is, so `bound` attaches the column
 * explicitly: the same statement then takes a Date on either dialect. (As SQL, so `set()` keeps it as it is.)
 */
import { type Column, Param, type SQL, sql } from 'drizzle-orm'

/** A placeholder named `name`, encoded like `column` wherever it appears. */
export function bound(column: Column, name: string): SQL {
  return sql`${new Param(sql.placeholder(name), column)}`
}

/** Builds on first use and keeps it: a store that never runs a statement never prepares it. */
export function once<T>(build: () => T): () => T {
  let built: T | undefined
  let done = false
  return () => {
    if (!done) {
      built = build()
      done = true
    }
    return built as T
  }
}

/** One prepared variant per key, for statements whose shape depends on which fields a call gives. */
export function perShape<T>(build: (key: string) => T): (key: string) => T {
  const variants = new Map<string, T>()
  return (key) => {
    let variant = variants.get(key)
    if (variant === undefined) {
      variant = build(key)
      variants.set(key, variant)
    }
    return variant
  }
}
