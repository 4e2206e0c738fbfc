/**
 * WAL checkpoints of the embedded SQLite store run on a thread of their own
 * (src/runtime/node/sqlite-checkpointer.ts): the gateway's connection never checkpoints inside a COMMIT,
 * yet committed pages still reach the database file, and closing the store ends the thread.
 */
import { execFile } from 'node:child_process'
import { statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCheckpointer } from '../../src/runtime/node/sqlite-checkpointer.ts'
import { pollUntil } from '../harness/poll.ts'

describe('SQLite checkpoints off the event loop', () => {
  let dir: string
  let path: string
  let db: DatabaseSync

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgefaas-checkpoint-'))
    path = join(dir, 'db')
    db = new DatabaseSync(path)
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL')
  })
  afterEach(async () => {
    if (db.isOpen) db.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('turns off checkpoints in COMMIT, and the thread copies committed pages into the file', async () => {
    const checkpointer = startCheckpointer(db, path, 20)
    try {
      const setting = db.prepare('PRAGMA wal_autocheckpoint').get() as Record<string, number>
      expect(Object.values(setting)[0]).toBe(0)
      const before = statSync(path).size
      // Far fewer pages than SQLite's own threshold (1,000): without the thread they would stay in the WAL.
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)')
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(500))
      await pollUntil(
        'the database file to grow by the committed pages',
        async () => statSync(path).size > before + 50_000,
      )
    } finally {
      await checkpointer.close()
    }
    const rows = db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }
    expect(rows.n).toBe(200)
  })

  it('close() ends the thread, and may be called on a store whose thread already stopped', async () => {
    const checkpointer = startCheckpointer(db, path, 20)
    await checkpointer.close()
    await checkpointer.close()
    db.exec('CREATE TABLE u (id INTEGER PRIMARY KEY)')
  })

  it('a program whose last handle is the thread runs on after close()', async () => {
    // The thread is unref'd while the store is open; closing must hold the process until it has ended,
    // or a script's `await store.close()` is where the process silently exits (code 13, nothing after).
    const module = fileURLToPath(new URL('../../src/runtime/node/sqlite-checkpointer.ts', import.meta.url))
    const script = `
      const { DatabaseSync } = await import('node:sqlite')
      const { startCheckpointer } = await import(${JSON.stringify(module)})
      const path = ${JSON.stringify(join(dir, 'child.db'))}
      for (const round of [1, 2]) {
        const db = new DatabaseSync(path)
        db.exec('PRAGMA journal_mode = WAL')
        const checkpointer = startCheckpointer(db, path, 20)
        await checkpointer.close()
        db.close()
        console.log('after close ' + round)
      }
    `
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script])
    expect(stdout.trim().split('\n')).toEqual(['after close 1', 'after close 2'])
  })
})
