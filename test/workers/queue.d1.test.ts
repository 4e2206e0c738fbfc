// The queue suite inside workerd: the embedded driver over D1, through the same SqliteStore the Worker uses.
import { env } from 'cloudflare:test'
import { drizzle } from 'drizzle-orm/d1'
import { createEmbeddedQueue } from '../../src/queue/embedded/driver.ts'
import { SqliteStore } from '../../src/store/sqlite.ts'
import { runQueueSuite } from '../conformance/queue.suite.ts'

runQueueSuite('embedded over d1', async () => {
  const store = new SqliteStore(drizzle(env.DB))
  const queue = createEmbeddedQueue(store, { pollMs: 20 })
  return {
    queue,
    async close() {
      await queue.close()
      await store.close()
    },
  }
})
