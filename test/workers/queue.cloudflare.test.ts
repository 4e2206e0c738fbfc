// The queue suite inside workerd against Cloudflare Queues (miniflare's): messages go out through the
// `CALLS` producer binding and come back through the Worker's own `queue()` handler, which holds each
// batch in the isolate's inbox, where the driver's `receive` leases them.
import { env } from 'cloudflare:test'
import { drizzle } from 'drizzle-orm/d1'
import { createCloudflareQueue } from '../../src/queue/cloudflare/driver.ts'
import { SqliteStore } from '../../src/store/sqlite.ts'
import { runQueueSuite } from '../conformance/queue.suite.ts'

runQueueSuite('cloudflare queues', async () => {
  const store = new SqliteStore(drizzle(env.DB))
  const queue = createCloudflareQueue({ producer: env.CALLS, store })
  return {
    queue,
    async close() {
      await queue.close()
      await store.close()
    },
  }
})
