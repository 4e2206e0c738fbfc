/**
 * @module
 * The Store conformance suite on a real PostgreSQL 15 started for this file, opened through openStore.
 */
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/runtime/node/open-store.ts'
import { runStoreSuite } from '../conformance/store.suite.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'

let server: PostgresServer

beforeAll(async () => {
  server = await startPostgres()
})

afterAll(async () => {
  await server?.stop()
})

runStoreSuite('postgres', () => openStore(server.url, '/nonexistent'))

describe('openStore with postgres', () => {
  it('reapplies no migration when reopened and keeps data', async () => {
    const first = await openStore(server.url, '/nonexistent')
    await first.store.upsertBackend({ name: 'reopen', kind: 'local', config: { n: 1 } })
    await first.close()
    const second = await openStore(server.url.replace('postgres://', 'postgresql://'), '/nonexistent')
    expect(await second.store.getBackend('reopen')).toMatchObject({ config: { n: 1 } })
    await second.close()
  })

  it('migrates a fresh database once when several gateways open it at the same time', async () => {
    const admin = postgres(server.url, { onnotice: () => {} })
    await admin`create database concurrent_open`
    await admin.end()
    const url = server.url.replace(/\/postgres$/, '/concurrent_open')
    const opened = await Promise.all([1, 2, 3].map(() => openStore(url, '/nonexistent')))
    expect(await opened[0]!.store.createSecret('ns', 's', 'c')).toBe(true)
    expect(await opened[2]!.store.getSecret('ns', 's')).toMatchObject({ ciphertext: 'c' })
    await Promise.all(opened.map((o) => o.close()))
  })
})
