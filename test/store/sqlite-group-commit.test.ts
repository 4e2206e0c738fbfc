/**
 * Group commit of the embedded SQLite store (src/runtime/node/sqlite-group-commit.ts): the writes of one
 * event-loop turn share one transaction; each caller hears back only after the commit, a failing statement
 * fails alone, and reads are not held back.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync, type SQLInputValue } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { groupCommit, type RunStatement } from '../../src/runtime/node/sqlite-group-commit.ts'

describe('SQLite group commit', () => {
  let dir: string
  let writer: DatabaseSync
  let reader: DatabaseSync
  let commits: number
  let exec: ReturnType<typeof groupCommit>

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgefaas-group-commit-'))
    writer = new DatabaseSync(join(dir, 'db'))
    writer.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)')
    reader = new DatabaseSync(join(dir, 'db'))
    commits = 0
    const run: RunStatement = (query, params, method) => {
      const stmt = writer.prepare(query)
      const args = params as SQLInputValue[]
      if (method === 'run') {
        stmt.run(...args)
        return { rows: [] }
      }
      return { rows: stmt.all(...args) }
    }
    const counting = new Proxy(writer, {
      get(target, key) {
        if (key === 'exec')
          return (sql: string) => {
            if (sql === 'COMMIT') commits++
            target.exec(sql)
          }
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    exec = groupCommit(counting, run)
  })

  afterEach(async () => {
    writer.close()
    reader.close()
    await rm(dir, { recursive: true, force: true })
  })

  const countSeen = () => (reader.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c

  it('commits the writes of one turn in one transaction, answering each only once it is committed', async () => {
    const seenAtAnswer: number[] = []
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        exec('insert into t (id, n) values (?, ?) returning id', [`k${i}`, i], 'all').then((result) => {
          expect(result.rows).toHaveLength(1)
          // Another connection sees the row by the time its writer hears back: it is committed.
          seenAtAnswer.push(countSeen())
        }),
      ),
    )
    expect(commits).toBe(1)
    expect(seenAtAnswer.every((n) => n === 20)).toBe(true)
  })

  it('fails a statement that breaks a constraint alone; the rest of its turn commits', async () => {
    await exec('insert into t (id, n) values (?, ?)', ['taken', 1], 'run')
    const outcomes = await Promise.allSettled([
      exec('insert into t (id, n) values (?, ?)', ['a', 1], 'run'),
      exec('insert into t (id, n) values (?, ?)', ['taken', 2], 'run'),
      exec('insert into t (id, n) values (?, ?)', ['b', 1], 'run'),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(countSeen()).toBe(3)
    expect(writer.isTransaction).toBe(false)
  })

  it('runs reads at once, on committed data, without waiting for the pending turn', async () => {
    const write = exec('insert into t (id, n) values (?, ?)', ['x', 1], 'run')
    const read = await exec('select count(*) from t', [], 'all')
    expect(read.rows).toEqual([{ 'count(*)': 0 }])
    await write
    expect((await exec('select count(*) from t', [], 'all')).rows).toEqual([{ 'count(*)': 1 }])
  })

  it('runs statements at once inside a transaction someone else opened (migrations)', async () => {
    writer.exec('BEGIN IMMEDIATE')
    await exec('insert into t (id, n) values (?, ?)', ['m', 1], 'run')
    writer.exec('COMMIT')
    expect(countSeen()).toBe(1)
    expect(commits).toBe(0)
  })
})
