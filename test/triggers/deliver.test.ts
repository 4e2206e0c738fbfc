/**
 * The delivery step every trigger shares: one call per event and function, whatever the number of
 * deliveries; and the gap between recording a call and queueing it closed on redelivery.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEmbeddedQueue } from '../../src/queue/embedded/driver.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { deliverEvent, triggerCallId } from '../../src/triggers/deliver.ts'
import type { Subscription, TriggerEvent } from '../../src/triggers/types.ts'

let store: Store
let close: () => Promise<void>
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgefaas-deliver-'))
  ;({ store, close } = await openStore(':memory:', dir))
})
afterAll(async () => {
  await close()
  await rm(dir, { recursive: true, force: true })
})

const subscription = (fn: string): Subscription => ({
  source: 'sqs',
  topic: 'sqs:orders',
  namespace: 'openfaas-fn',
  function: fn,
  annotations: { 'com.openfaas.queue': 'orders-q' },
  since: 0,
})
const event = (key: string, redelivered: boolean): TriggerEvent => ({
  key,
  body: new TextEncoder().encode('payload'),
  headers: [
    ['x-topic', 'sqs:orders'],
    ['x-call-id', 'forged'],
  ],
  occurredAt: 1_700_000_000_000,
  redelivered,
})

it('one call per event and function, on the function’s named queue, with a stable id', async () => {
  const queue = createEmbeddedQueue(store)
  expect(await deliverEvent(store, queue, subscription('a'), event('m-1', false))).toBe('enqueued')
  expect(await deliverEvent(store, queue, subscription('a'), event('m-1', true))).toBe('duplicate')
  expect(await deliverEvent(store, queue, subscription('b'), event('m-1', false))).toBe('enqueued')
  const [message] = await queue.receive('orders-q', { max: 10, leaseMs: 1000, waitMs: 0 })
  const id = await triggerCallId(subscription('a'), 'm-1')
  expect(id).toMatch(/^sqs-[0-9a-f]{40}$/)
  expect(await queue.depth('orders-q')).toBe(2)
  // The event cannot choose the call id.
  expect(message?.record.headers.filter(([n]) => n === 'x-call-id')).toHaveLength(1)
  expect(message?.record.headers.find(([n]) => n === 'x-call-id')?.[1]).toMatch(/^sqs-/)
  await queue.close()
})

it('a redelivered event whose call was recorded but never queued is queued now', async () => {
  const queue = createEmbeddedQueue(store)
  const sub = subscription('c')
  const id = await triggerCallId(sub, 'm-2')
  // A gateway died between the two writes: the status row exists, the queue has nothing.
  await store.createCall({ id, namespace: sub.namespace, function: sub.function, queue: 'orders-q' })
  expect(await deliverEvent(store, queue, sub, event('m-2', false))).toBe('duplicate')
  expect(await queue.depth('orders-q')).toBe(2) // the two calls of the first test only
  expect(await deliverEvent(store, queue, sub, event('m-2', true))).toBe('duplicate')
  expect(await queue.depth('orders-q')).toBe(3)
  // Queueing it again is idempotent by call id.
  expect(await deliverEvent(store, queue, sub, event('m-2', true))).toBe('duplicate')
  expect(await queue.depth('orders-q')).toBe(3)
  await queue.close()
})
