/**
 * NATS triggers against a real nats-server: 500 messages published to a subject a JetStream stream
 * captures all reach the subscribed function (each once, body and headers intact), through the async
 * path; a failing function's messages end in the dead-letter list; a subject without a stream is read
 * with core NATS.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { type NatsConnection, headers as natsHeaders } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type NatsServer, startNats } from '../harness/nats.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { createRecordingProvider } from '../harness/recording-provider.ts'

let nats: NatsServer
let nc: NatsConnection
let g: TestGateway
const rec = createRecordingProvider()

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${g.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
const deploy = async (service: string, annotations: Record<string, string>) => {
  const response = await api('POST', '/system/functions', {
    service,
    image: 'x',
    annotations: { 'edgefaas.dev/backends': 'rec', ...annotations },
  })
  expect(response.status, await response.text()).toBe(202)
}
const triggerOf = async (name: string) => {
  const listed = (await (await api('GET', '/system/triggers')).json()) as Array<Record<string, unknown>>
  return listed.find((t) => t.function === name)
}

beforeAll(async () => {
  nats = await startNats()
  nc = await connect({ servers: nats.url })
  const jsm = await jetstreamManager(nc)
  await jsm.streams.add({ name: 'EVENTS', subjects: ['events.>'] })
  g = await startTestGateway(
    {
      EDGEFAAS_TRIGGERS_NATS_URL: nats.url,
      EDGEFAAS_TRIGGERS_NATS_SUBJECTS: 'events.>,plain.>',
      EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: '50',
    },
    { providers: { rec } },
  )
}, 60_000)
afterAll(async () => {
  await g?.close()
  await nc?.close()
  await nats?.stop()
})

it('500 messages on a JetStream subject all reach the function, once each', async () => {
  await deploy('nats-sink', { topic: 'nats:events.orders', 'edgefaas.dev/trigger-batch-size': '50' })
  await pollUntil(
    'the durable consumer',
    async () => (await triggerOf('nats-sink'))?.mode === 'jetstream',
    15_000,
  )
  const js = jetstream(nc)
  for (let i = 0; i < 500; i++) {
    const h = natsHeaders()
    h.set('Order', String(i))
    await js.publish('events.orders', `order ${i}`, { headers: h })
  }
  const got = () => rec.invocations.filter((i) => i.name === 'nats-sink')
  await pollUntil('500 deliveries', async () => got().length >= 500, 60_000, 100)
  const bodies = new Set(got().map((i) => i.body))
  expect(bodies.size).toBe(500)
  expect(got()).toHaveLength(500)
  const one = got().find((i) => i.body === 'order 7')
  expect(one?.headers['x-nats-header-order']).toBe('7')
  expect(one?.headers['x-topic']).toBe('nats:events.orders')
  expect(one?.headers['x-nats-subject']).toBe('events.orders')
  const status = await triggerOf('nats-sink')
  expect(status).toMatchObject({ source: 'nats', active: true, deliveries: 500, errors: 0 })
  const metrics = await (await api('GET', '/metrics')).text()
  expect(metrics).toContain(
    'edgefaas_trigger_deliveries_total{source="nats",topic="nats:events.orders",function_name="nats-sink.openfaas-fn",outcome="enqueued"} 500',
  )
}, 120_000)

it("a failing function's messages end in the dead-letter list", async () => {
  await deploy('fail-nats', {
    topic: 'nats:events.bad',
    'com.openfaas.retry.attempts': '1',
    'com.openfaas.retry.min_wait': '50ms',
    'com.openfaas.retry.max_wait': '100ms',
  })
  await pollUntil(
    'the durable consumer',
    async () => (await triggerOf('fail-nats'))?.mode === 'jetstream',
    15_000,
  )
  const js = jetstream(nc)
  for (let i = 0; i < 5; i++) await js.publish('events.bad', `bad ${i}`)
  await pollUntil(
    'five dead letters',
    async () => {
      const page = (await (await api('GET', '/system/dead-letters?function=fail-nats')).json()) as {
        items?: unknown[]
      }
      return (page.items?.length ?? 0) >= 5
    },
    60_000,
    200,
  )
  // Tried twice each (the first try and one retry), then dead-lettered.
  expect(rec.invocations.filter((i) => i.name === 'fail-nats')).toHaveLength(10)
}, 120_000)

it('a subject without a stream is read with core NATS', async () => {
  await deploy('plain-sink', { topic: 'nats:plain.ping' })
  await pollUntil(
    'the core subscription',
    async () => (await triggerOf('plain-sink'))?.mode === 'core',
    15_000,
  )
  for (let i = 0; i < 50; i++) nc.publish('plain.ping', `ping ${i}`)
  await nc.flush()
  await pollUntil(
    '50 deliveries',
    async () => rec.invocations.filter((i) => i.name === 'plain-sink').length >= 50,
    30_000,
    100,
  )
}, 60_000)
