/**
 * A queued async call does not keep the caller's credentials: `Authorization`, `Cookie` and
 * `Proxy-Authorization` are dropped before the call is stored, whichever queue holds it. Checked on what
 * a worker would receive from each queue, and, for the embedded queue, on the bytes of the database files.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRecord } from '../../src/queue/types.ts'
import { startNats } from '../harness/nats.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { startSqs } from '../harness/sqs.ts'

const SECRETS = ['Bearer tok-5ecret-a1', 'session=tok-5ecret-b2', 'Basic dG9rLTVlY3JldC1jMw==']

interface QueueSetup {
  env: Record<string, string>
  stop(): Promise<void>
}

const QUEUES: Array<[string, () => Promise<QueueSetup>]> = [
  ['embedded', async () => ({ env: {}, stop: async () => {} })],
  [
    'NATS JetStream',
    async () => {
      const nats = await startNats()
      return { env: { EDGEFAAS_QUEUE_URL: nats.url }, stop: () => nats.stop() }
    },
  ],
  [
    'SQS',
    async () => {
      const sqs = await startSqs()
      const endpoint = encodeURIComponent(sqs.endpoint)
      return {
        env: { EDGEFAAS_QUEUE_URL: `sqs://us-east-1/edgefaas-headers-?endpoint=${endpoint}` },
        stop: () => sqs.stop(),
      }
    },
  ],
]

describe.each(QUEUES)('stored async calls on the %s queue', (kind, setup) => {
  let queue: QueueSetup
  let g: TestGateway
  beforeAll(async () => {
    queue = await setup()
    g = await startTestGateway({ EDGEFAAS_WORKER: 'false', ...queue.env })
    const res = await fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ service: 'sink', image: 'x', envProcess: 'cat' }),
    })
    expect(res.status).toBe(202)
  })
  afterAll(async () => {
    await g?.close()
    await queue?.stop()
  })

  it('drop Authorization, Cookie and Proxy-Authorization, and keep the other headers', async () => {
    const res = await fetch(`${g.url}/async-function/sink`, {
      method: 'POST',
      headers: {
        Authorization: SECRETS[0] as string,
        Cookie: SECRETS[1] as string,
        'Proxy-Authorization': SECRETS[2] as string,
        'X-Custom': 'kept',
      },
      body: 'payload',
    })
    expect(res.status).toBe(202)
    const id = res.headers.get('x-call-id')

    const queued = g.deps.queue
    if (!queued) throw new Error('no queue')
    const messages = await queued.receive('default', { max: 10, leaseMs: 60_000, waitMs: 5_000 })
    const record = messages.find((m) => m.record.id === id)?.record as CallRecord
    expect(record, `call ${id} on the ${kind} queue`).toBeDefined()
    const names = record.headers.map(([name]) => name)
    expect(names).toContain('x-custom')
    expect(names).not.toContain('authorization')
    expect(names).not.toContain('cookie')
    expect(names).not.toContain('proxy-authorization')
    expect(JSON.stringify(record)).not.toMatch(/5ecret|dG9rLTVlY3JldC1jMw/)

    // The store may hold the record too (the embedded queue, SQS's claim check): no trace on disk.
    for (const file of await readdir(g.dataDir)) {
      if (!file.startsWith('edgefaas.db')) continue
      const bytes = await readFile(join(g.dataDir, file), 'latin1')
      for (const secret of ['tok-5ecret', 'dG9rLTVlY3JldC1jMw']) {
        expect(bytes.includes(secret), `${secret} in ${file}`).toBe(false)
      }
    }
  })
})
