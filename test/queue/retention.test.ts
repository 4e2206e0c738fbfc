import { afterEach, beforeEach, expect, it } from 'vitest'
import { pruneAsyncRecords } from '../../src/queue/retention.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import type { Store } from '../../src/store/types.ts'

let store: Store
let close: () => Promise<void>
beforeEach(async () => {
  ;({ store, close } = await openStore(':memory:', '/tmp'))
})
afterEach(() => close())

it('deletes finished calls and stray payloads older than the retention, keeps the rest', async () => {
  for (const [id, status] of [
    ['done', 'succeeded'],
    ['waiting', 'queued'],
  ] as const) {
    await store.createCall({ id, namespace: 'openfaas-fn', function: 'f', queue: 'default' })
    await store.updateCall(id, { status })
  }
  await store.putPayload('stray', 'aGk=')
  const hourLater = new Date(Date.now() + 3_600_000)
  expect(await pruneAsyncRecords(store, 7_200_000, hourLater)).toEqual({ calls: 0, payloads: 0 })
  expect(await pruneAsyncRecords(store, 1_800_000, hourLater)).toEqual({ calls: 1, payloads: 1 })
  expect(await store.getCall('done')).toBeNull()
  expect((await store.getCall('waiting'))?.status).toBe('queued')
  expect(await store.getPayload('stray')).toBeNull()
})
