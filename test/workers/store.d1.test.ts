// The store suite against D1 inside workerd: the same SqliteStore class the Worker uses.
import { env } from 'cloudflare:test'
import { drizzle } from 'drizzle-orm/d1'
import { SqliteStore } from '../../src/store/sqlite.ts'
import { runStoreSuite } from '../conformance/store.suite.ts'

runStoreSuite('d1', async () => {
  const store = new SqliteStore(drizzle(env.DB))
  return { store, close: () => store.close() }
})
