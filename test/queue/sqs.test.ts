/**
 * @module
 * The queue conformance suite on SQS (the fauxqs emulator, in-process on a loopback port), plus what is
 * specific to this driver: the claim check for large records, copies of acked calls, queue names SQS
 * cannot hold, and given queue URLs. SQS counts visibility in whole seconds, so tests that wait on it are
 * kept few.
 */
import { ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimCheckAttribute, createSqsQueue, type SqsPayloadStore } from '../../src/queue/sqs/driver.ts'
import type { CallRecord } from '../../src/queue/types.ts'
import { runQueueSuite, testCallRecord } from '../conformance/queue.suite.ts'
import { type SqsServer, startSqs } from '../harness/sqs.ts'

let server: SqsServer
let client: SQSClient

beforeAll(async () => {
  server = await startSqs()
  client = new SQSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
})

afterAll(async () => {
  client?.destroy()
  await server?.stop()
})

/** Payloads in a Map, counting calls, as the test's stand-in for an S3 bucket. */
function memoryPayloads(): SqsPayloadStore & { stored: Map<string, string> } {
  const stored = new Map<string, string>()
  return {
    stored,
    async put(id, body) {
      stored.set(id, body)
    },
    async get(id) {
      return stored.get(id) ?? null
    },
    async delete(id) {
      stored.delete(id)
    },
  }
}

runQueueSuite('sqs', async () => {
  const queue = createSqsQueue({ client, payloads: memoryPayloads() })
  return { queue, close: () => queue.close() }
})

let ids = 0
const run = Math.random().toString(36).slice(2, 8)
const call = (queue: string, over: Partial<CallRecord> = {}): CallRecord =>
  testCallRecord(queue, { id: `call-${run}-${++ids}`, ...over })

/** A base64 body of `bytes` pseudo-random bytes. */
function bigBody(bytes: number): string {
  const raw = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) raw[i] = (i * 7919 + 13) % 256
  return Buffer.from(raw).toString('base64')
}

describe('sqs queue', () => {
  it('sends a 1 MB body through the claim check and deletes the payload on ack', async () => {
    const payloads = memoryPayloads()
    const queue = createSqsQueue({ client, payloads })
    const q = `claim-${run}`
    const record = call(q, { body: bigBody(1_000_000) })
    await queue.enqueue(record)
    expect(payloads.stored.get(record.id)).toBe(record.body)

    // What travels through SQS is small and marked.
    const url = (await client.send(new ListQueuesCommand({ QueueNamePrefix: `edgefaas-claim-${run}` })))
      .QueueUrls?.[0]
    const raw = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }),
    )
    const sent = raw.Messages?.[0]
    expect(sent?.MessageAttributes?.[claimCheckAttribute]).toBeDefined()
    expect(sent?.Body?.length).toBeLessThan(2_000)
    expect(JSON.parse(sent!.Body!).body).toBe('')

    const [message] = await queue.receive(q, { max: 1, leaseMs: 30_000, waitMs: 5_000 })
    expect(message?.record).toEqual(record)
    await queue.ack(message!)
    expect(payloads.stored.has(record.id)).toBe(false)
    expect(await queue.depth(q)).toBe(0)
  })

  it('keeps records up to maxInlineBytes inline', async () => {
    const payloads = memoryPayloads()
    const queue = createSqsQueue({ client, payloads, maxInlineBytes: 4_096 })
    const q = `inline-${run}`
    const small = call(q, { body: bigBody(1_000) })
    const large = call(q, { body: bigBody(4_000) })
    await queue.enqueue(small)
    await queue.enqueue(large)
    expect([...payloads.stored.keys()]).toEqual([large.id])
    const messages = await queue.receive(q, { max: 10, leaseMs: 30_000, waitMs: 5_000 })
    const byId = new Map(messages.map((m) => [m.record.id, m.record]))
    expect(byId.get(small.id)).toEqual(small)
    expect(byId.get(large.id)).toEqual(large)
    for (const m of messages) await queue.ack(m)
    expect(payloads.stored.size).toBe(0)
  })

  it('drops a copy of a claim-checked call that was already acked', async () => {
    const payloads = memoryPayloads()
    const queue = createSqsQueue({ client, payloads, maxInlineBytes: 1_024 })
    const q = `copies-${run}`
    const record = call(q, { body: bigBody(2_000) })
    // A retried enqueue: SQS standard queues keep both.
    await queue.enqueue(record)
    await queue.enqueue(record)
    const [first] = await queue.receive(q, { max: 1, leaseMs: 30_000, waitMs: 5_000 })
    expect(first?.record).toEqual(record)
    await queue.ack(first!)
    expect(await queue.receive(q, { max: 10, leaseMs: 30_000, waitMs: 0 })).toEqual([])
    expect(await queue.depth(q)).toBe(0)
  })

  it('refuses an oversized record without a payload store, saying why', async () => {
    const queue = createSqsQueue({ client })
    await expect(queue.enqueue(call(`nostore-${run}`, { body: bigBody(300_000) }))).rejects.toThrow(
      /payload store/,
    )
  })

  it('takes more than 10 messages in one receive', async () => {
    const queue = createSqsQueue({ client })
    const q = `many-${run}`
    await Promise.all(Array.from({ length: 25 }, () => queue.enqueue(call(q))))
    const messages = await queue.receive(q, { max: 25, leaseMs: 30_000, waitMs: 0 })
    expect(messages.length).toBeGreaterThan(10)
    expect(new Set(messages.map((m) => m.record.id)).size).toBe(messages.length)
    for (const m of messages) await queue.ack(m)
  })

  it('maps queue names SQS cannot hold to distinct queues', async () => {
    const queue = createSqsQueue({ client })
    const names = [
      `a.b-${run}`,
      `a_2eb-${run}`,
      `ü ${run}`,
      `long-${run}-${'x'.repeat(100)}`,
      `long-${run}-${'x'.repeat(101)}`,
    ]
    for (const name of names) await queue.enqueue(call(name))
    for (const name of names) {
      const messages = await queue.receive(name, { max: 10, leaseMs: 30_000, waitMs: 0 })
      expect(messages.map((m) => m.record.queue)).toEqual([name])
      await queue.ack(messages[0]!)
    }
  })

  it('uses the queue URL it is given', async () => {
    const made = createSqsQueue({ client, queueNamePrefix: 'made-' })
    await made.enqueue(call('given'))
    const url = (await client.send(new ListQueuesCommand({ QueueNamePrefix: 'made-given' }))).QueueUrls?.[0]
    const asked: string[] = []
    const given = createSqsQueue({
      client,
      queueUrlFor: async (queue) => {
        asked.push(queue)
        return url!
      },
    })
    const messages = await given.receive('given', { max: 10, leaseMs: 30_000, waitMs: 0 })
    expect(messages.map((m) => m.record.queue)).toEqual(['given'])
    await given.ack(messages[0]!)
    expect(await given.depth('given')).toBe(0)
    expect(asked).toEqual(['given'])
  })

  it('rejects a receipt it did not make', async () => {
    const queue = createSqsQueue({ client })
    await expect(queue.ack({ record: call('x'), receipt: 'opaque', deliveryCount: 1 })).rejects.toThrow(
      /not a receipt/,
    )
  })

  it('stops waiting when the signal aborts, and on close', async () => {
    const queue = createSqsQueue({ client })
    const q = `abort-${run}`
    await queue.depth(q)
    const controller = new AbortController()
    const started = Date.now()
    const waiting = queue.receive(q, { max: 1, leaseMs: 1_000, waitMs: 20_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    expect(await waiting).toEqual([])
    const closing = queue.receive(q, { max: 1, leaseMs: 1_000, waitMs: 20_000 })
    setTimeout(() => void queue.close(), 100)
    expect(await closing).toEqual([])
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect(queue.enqueue(call(q))).rejects.toThrow(/closed/)
  })
})
