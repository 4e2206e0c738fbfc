/**
 * @module
 * WAL checkpoints for the embedded SQLite store, off the event loop. By default SQLite checkpoints inside
 * the COMMIT that pushes the WAL past 1,000 pages: copying the pages back and two fsyncs (tens of
 * milliseconds on a busy disk) block the gateway's only thread, every request waiting behind them. Here
 * the gateway's connection never checkpoints (`wal_autocheckpoint = 0`); a worker thread with its own
 * connection runs a PASSIVE checkpoint every `intervalMs`, which never blocks the writer and is as
 * crash-safe as SQLite's own (a SIGKILL mid-checkpoint leaves the WAL to replay). Where a worker thread
 * cannot start, the connection goes back to SQLite's own checkpoints.
 */
import type { DatabaseSync } from 'node:sqlite'
import { Worker } from 'node:worker_threads'

/** The thread: its own connection to the file, a PASSIVE checkpoint per tick, closed on 'close'. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const { DatabaseSync } = require('node:sqlite')
const db = new DatabaseSync(workerData.path, { timeout: 1000 })
const timer = setInterval(() => {
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)') } catch {}
}, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)') } catch {}
  db.close()
  parentPort.close()
})
`

/** SQLite's own threshold, restored when the thread cannot run. */
const SQLITE_DEFAULT_PAGES = 1000

export interface Checkpointer {
  /** Stops the thread after a last checkpoint; resolves when it has exited. */
  close(): Promise<void>
}

export function startCheckpointer(sqlite: DatabaseSync, path: string, intervalMs = 250): Checkpointer {
  sqlite.exec('PRAGMA wal_autocheckpoint = 0')
  let worker: Worker | null
  const fallBack = () => {
    worker = null
    try {
      sqlite.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`)
    } catch {
      // The connection is closed already: nothing left to checkpoint from here.
    }
  }
  try {
    worker = new Worker(THREAD, { eval: true, workerData: { path, intervalMs } })
    // Not a reason to keep the process alive: the store's close() ends it.
    worker.unref()
    worker.once('error', fallBack)
  } catch {
    fallBack()
  }
  return {
    async close() {
      const running = worker
      if (!running) return
      worker = null
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()))
      // Unref'd, the thread would not keep the process alive while it finishes: a program whose last
      // handle it is would end inside this await, and nothing after `await store.close()` would run.
      running.ref()
      running.postMessage('close')
      await exited
    },
  }
}
