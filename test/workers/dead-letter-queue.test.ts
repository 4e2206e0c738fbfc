// Calls Cloudflare gave up on (max_retries deliveries never settled, e.g. isolates that died mid-call)
// arrive on the dead-letter queue; the Worker's queue() handler records them in our dead-letter list and
// marks them dead, so listing and replay work as for any other dead call. A call that finished meanwhile
// (a late duplicate) is not dead-lettered. Messages that are not edgefaas calls are acked, never run.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import worker, { type Env } from '../../src/runtime/workers/index.ts'
import { SqliteStore } from '../../src/store/sqlite.ts'
import { testCallRecord } from '../conformance/queue.suite.ts'
import { api } from './helpers.ts'

describe('the Cloudflare dead-letter queue', () => {
  it('records calls Cloudflare gave up on in our dead-letter list, and only those', async () => {
    const store = new SqliteStore(drizzle(env.DB))
    const given = testCallRecord('default', { function: `dlq-${crypto.randomUUID().slice(0, 6)}` })
    const finished = testCallRecord('default', { function: given.function })
    for (const record of [given, finished]) {
      await store.createCall({
        id: record.id,
        namespace: record.namespace,
        function: record.function,
        queue: 'default',
      })
      await store.ledgerAdd(record.id, 'default', new Date())
    }
    await store.updateCall(finished.id, { status: 'succeeded' })

    const batch = createMessageBatch('edgefaas-calls-dlq', [
      { id: 'm1', timestamp: Date.now(), attempts: 21, body: { v: 1, record: given } },
      { id: 'm2', timestamp: Date.now(), attempts: 21, body: { v: 1, record: finished } },
      { id: 'm3', timestamp: Date.now(), attempts: 1, body: { not: 'a call' } },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env as unknown as Env, ctx)
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm2', 'm3'])

    const listed = (await (await api('GET', `/system/dead-letters?function=${given.function}`)).json()) as {
      items: Array<{ id: string; attempts: number; lastError: string }>
    }
    expect(listed.items).toMatchObject([{ id: given.id, attempts: 21 }])
    expect(listed.items[0]!.lastError).toMatch(/max_retries/)
    expect((await store.getCall(given.id))?.status).toBe('dead')
    expect((await store.getCall(finished.id))?.status).toBe('succeeded')
    expect(await store.ledgerRemove(given.id)).toBe(false) // already forgotten by the handler
  })
})
