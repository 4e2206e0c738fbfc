/**
 * @module
 * The Store conformance suite on embedded SQLite (`node:sqlite`), on a temp file and in memory, plus the
 * URL handling of openStore and reopening a file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/runtime/node/open-store.ts'
import { runStoreSuite } from '../conformance/store.suite.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgefaas-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

runStoreSuite('sqlite file', () => openStore(join(dir, 'suite.db'), dir))
runStoreSuite('sqlite :memory:', () => openStore(':memory:', dir))

describe('openStore', () => {
  it('defaults to <dataDir>/edgefaas.db, creating the directory', async () => {
    const dataDir = join(dir, 'nested', 'data')
    const { store, close } = await openStore('', dataDir)
    await store.ping()
    await close()
    expect(existsSync(join(dataDir, 'edgefaas.db'))).toBe(true)
  })

  it('accepts file: URLs', async () => {
    const path = join(dir, 'url.db')
    const { close } = await openStore(pathToFileURL(path).href, dir)
    await close()
    expect(existsSync(path)).toBe(true)
  })

  it('keeps data across reopening, applying migrations only once', async () => {
    const path = join(dir, 'reopen.db')
    const first = await openStore(`file:${path}`, dir)
    expect(await first.store.createNamespace({ name: 'kept', labels: { k: 'v' }, annotations: {} })).toBe(
      true,
    )
    await first.close()

    const second = await openStore(path, dir)
    expect(await second.store.getNamespace('kept')).toMatchObject({ labels: { k: 'v' } })
    expect(await second.store.createNamespace({ name: 'kept', labels: {}, annotations: {} })).toBe(false)
    await second.close()
  })

  it('rejects an unknown scheme, naming the accepted ones without echoing the URL', async () => {
    const attempt = openStore('mysql://root:hunter2@db.example/edgefaas', dir)
    await expect(attempt).rejects.toThrow(
      /Unsupported database URL scheme "mysql:".*postgres:\/\/.*file:.*:memory:/,
    )
    await expect(attempt).rejects.not.toThrow(/hunter2/)
  })
})
