/**
 * @module
 * Group commit for the embedded SQLite store. Every write statement issued during one turn of the event
 * loop runs in one transaction, committed before any of them answers; reads run at once, on committed
 * data. Each store method stays one atomic statement and a caller still hears back only once its write
 * is committed (a SIGKILL after an answer loses nothing), but the commit — the WAL append and wal-index
 * update that cost more than the statement itself — is paid once per turn instead of once per write.
 * Under load a turn gathers the writes of every request, lease, status change and ack that arrived in it.
 *
 * A statement that fails alone (a constraint) rolls back only itself, as in autocommit: its caller gets
 * the error and the others commit. An error after which SQLite has already rolled the whole transaction
 * back (I/O, full disk, busy) fails every statement of the turn, so no caller is told a write committed
 * that did not.
 */
import type { DatabaseSync } from 'node:sqlite'
// Imported rather than global: Deno runs this driver too (through its Node compatibility).
import { setImmediate } from 'node:timers'

/** How drizzle's sqlite-proxy asks for a statement. */
export type ProxyMethod = 'run' | 'all' | 'values' | 'get'

export interface ProxyResult {
  rows: unknown[]
}

/** Runs one statement synchronously (the prepared-statement cache's job). */
export type RunStatement = (query: string, params: unknown[], method: ProxyMethod) => ProxyResult

interface PendingWrite {
  query: string
  params: unknown[]
  method: ProxyMethod
  resolve: (result: ProxyResult) => void
  reject: (error: unknown) => void
}

/** Reads never wait for a commit: drizzle spells every statement in lowercase, reads start with `select`. */
const READ = /^\s*select\b/i

/** The sqlite-proxy callback with writes grouped per event-loop turn. */
export function groupCommit(
  sqlite: DatabaseSync,
  run: RunStatement,
): (query: string, params: unknown[], method: ProxyMethod) => Promise<ProxyResult> {
  let pending: PendingWrite[] = []
  let scheduled = false

  const flush = () => {
    scheduled = false
    const batch = pending
    pending = []
    if (batch.length === 1) {
      // Nothing to share the commit with: autocommit, exactly as without grouping.
      const [only] = batch as [PendingWrite]
      try {
        only.resolve(run(only.query, only.params, only.method))
      } catch (error) {
        only.reject(error)
      }
      return
    }
    try {
      // IMMEDIATE takes the write lock now (waiting up to the busy timeout for another process), so no
      // statement below can fail for want of it halfway through.
      sqlite.exec('BEGIN IMMEDIATE')
    } catch (error) {
      for (const write of batch) write.reject(error)
      return
    }
    const outcomes: Array<{ ok: true; result: ProxyResult } | { ok: false; error: unknown }> = []
    for (const write of batch) {
      try {
        outcomes.push({ ok: true, result: run(write.query, write.params, write.method) })
      } catch (error) {
        if (!sqlite.isTransaction) {
          // SQLite rolled the whole transaction back: nothing of this turn was written.
          for (const w of batch) w.reject(error)
          return
        }
        outcomes.push({ ok: false, error })
      }
    }
    try {
      sqlite.exec('COMMIT')
    } catch (error) {
      if (sqlite.isTransaction) {
        try {
          sqlite.exec('ROLLBACK')
        } catch {
          // Already rolled back by SQLite; the error below is the one to report.
        }
      }
      for (const write of batch) write.reject(error)
      return
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number]
      if (outcome.ok) write.resolve(outcome.result)
      else write.reject(outcome.error)
    })
  }

  return (query, params, method) => {
    // Inside a transaction someone else opened (migrations), or a read: run now.
    if (sqlite.isTransaction || READ.test(query)) {
      try {
        return Promise.resolve(run(query, params, method))
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return new Promise<ProxyResult>((resolve, reject) => {
      pending.push({ query, params, method, resolve, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
  }
}
