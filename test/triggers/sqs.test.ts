/**
 * SQS triggers against the fauxqs emulator: 500 messages all reach the subscribed function once each,
 * with their attributes as headers, through the async path; a failing function's messages end in the
 * dead-letter list; and a gateway process killed (SIGKILL) in the middle of a batch loses nothing: every
 * message it held comes back to another gateway and each becomes exactly one call.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'
import { createRecordingProvider } from '../harness/recording-provider.ts'
import { type SqsServer, startSqs } from '../harness/sqs.ts'

let sqs: SqsServer
let client: SQSClient
let pg: PostgresServer

const sqsEnv = () => ({
  EDGEFAAS_TRIGGERS_SQS_QUEUES: 'orders,failing,kill-*',
  EDGEFAAS_TRIGGERS_SQS_REGION: 'us-east-1',
  EDGEFAAS_TRIGGERS_SQS_ENDPOINT: sqs.endpoint,
})
const api = (
  g: { url: string; user: string; password: string },
  method: string,
  path: string,
  body?: unknown,
) =>
  fetch(`${g.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
const deploy = async (g: TestGateway, service: string, annotations: Record<string, string>) => {
  const response = await api(g, 'POST', '/system/functions', {
    service,
    image: 'x',
    annotations: { 'edgefaas.dev/backends': 'rec', ...annotations },
  })
  expect(response.status, await response.text()).toBe(202)
}
async function createQueue(name: string): Promise<string> {
  const created = await client.send(new CreateQueueCommand({ QueueName: name }))
  return created.QueueUrl ?? ''
}
async function send(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, j) => ({
      Id: String(j),
      MessageBody: body,
      MessageAttributes: {
        Seq: { DataType: 'Number', StringValue: String(i + j) },
        'Content-Type': { DataType: 'String', StringValue: 'text/plain' },
      },
    }))
    const sent = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }))
    expect(sent.Failed ?? []).toEqual([])
  }
}
async function remaining(url: string): Promise<number> {
  const { Attributes: a } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  return Number(a?.ApproximateNumberOfMessages ?? 0) + Number(a?.ApproximateNumberOfMessagesNotVisible ?? 0)
}

beforeAll(async () => {
  sqs = await startSqs()
  client = new SQSClient({
    region: 'us-east-1',
    endpoint: sqs.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  pg = await startPostgres()
}, 60_000)
afterAll(async () => {
  client?.destroy()
  await sqs?.stop()
  await pg?.stop()
})

describe('one gateway', () => {
  let g: TestGateway
  const rec = createRecordingProvider()
  beforeAll(async () => {
    g = await startTestGateway(
      { ...sqsEnv(), EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: '50' },
      { providers: { rec } },
    )
  })
  afterAll(async () => g?.close())

  it('500 messages all reach the function once each, attributes as headers', async () => {
    const url = await createQueue('orders')
    await deploy(g, 'sqs-sink', { topic: 'sqs:orders', 'edgefaas.dev/trigger-concurrency': '4' })
    await send(
      url,
      Array.from({ length: 500 }, (_, i) => `order ${i}`),
    )
    const got = () => rec.invocations.filter((i) => i.name === 'sqs-sink')
    await pollUntil('500 deliveries', async () => got().length >= 500, 90_000, 100)
    expect(new Set(got().map((i) => i.body)).size).toBe(500)
    expect(got()).toHaveLength(500)
    const one = got().find((i) => i.body === 'order 42')
    expect(one?.headers).toMatchObject({
      'x-topic': 'sqs:orders',
      'x-sqs-queue': 'orders',
      'x-sqs-attribute-seq': '42',
      'content-type': 'text/plain',
    })
    await pollUntil('the queue to be empty', async () => (await remaining(url)) === 0, 15_000)
  }, 120_000)

  it("a failing function's messages end in the dead-letter list and leave SQS", async () => {
    const url = await createQueue('failing')
    await deploy(g, 'fail-sqs', {
      topic: 'sqs:failing',
      'com.openfaas.retry.attempts': '1',
      'com.openfaas.retry.min_wait': '50ms',
      'com.openfaas.retry.max_wait': '100ms',
    })
    await send(url, ['a', 'b', 'c'])
    await pollUntil(
      'three dead letters',
      async () => {
        const page = (await (await api(g, 'GET', '/system/dead-letters?function=fail-sqs')).json()) as {
          items?: unknown[]
        }
        return (page.items?.length ?? 0) >= 3
      },
      60_000,
      200,
    )
    expect(await remaining(url)).toBe(0)
  }, 90_000)
})

describe('a gateway killed mid-batch', () => {
  let runner: TestGateway
  let rescuer: TestGateway | undefined
  let killed: GatewayProcess | undefined
  let dataDir: string
  const rec = createRecordingProvider()
  afterAll(async () => {
    await killed?.stop('SIGKILL')
    await rescuer?.close()
    await runner?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('loses no message: every one becomes exactly one call', async () => {
    const url = await createQueue('kill-me')
    const store = { EDGEFAAS_DATABASE_URL: pg.url }
    // Runs the calls, consumes nothing: triggers off here.
    runner = await startTestGateway(
      { ...store, ...sqsEnv(), EDGEFAAS_TRIGGERS: 'false', EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: '50' },
      { providers: { rec } },
    )
    await deploy(runner, 'kill-sink', {
      topic: 'sqs:kill-me',
      'edgefaas.dev/trigger-concurrency': '8',
      'edgefaas.dev/trigger-batch-size': '10',
    })
    await send(
      url,
      Array.from({ length: 500 }, (_, i) => `job ${i}`),
    )
    dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-kill-'))
    // Consumes SQS and records calls; runs none (no worker), and is killed half way.
    killed = await startGatewayProcess({
      ...store,
      ...sqsEnv(),
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: 'kill-test-password',
      EDGEFAAS_WORKER: 'false',
      EDGEFAAS_TRIGGERS_SQS_VISIBILITY_SECONDS: '2',
    })
    const victim = { url: killed.url, user: 'admin', password: 'kill-test-password' }
    const deliveredByVictim = async () => {
      const listed = (await (await api(victim, 'GET', '/system/triggers')).json()) as Array<{
        deliveries: number
      }>
      return listed[0]?.deliveries ?? 0
    }
    await pollUntil(
      'the gateway to be in the middle of the queue',
      async () => (await deliveredByVictim()) >= 60,
      60_000,
      10,
    )
    await killed.stop('SIGKILL')
    const left = await remaining(url)
    expect(left).toBeGreaterThan(0)
    const { Attributes: held } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    )
    console.log(
      `sqs kill: ${left} of 500 still in SQS at the kill, ${held?.ApproximateNumberOfMessagesNotVisible} of them held by the killed gateway`,
    )

    // Another gateway on the same store takes the rest, including what the killed one held.
    rescuer = await startTestGateway(
      { ...store, ...sqsEnv(), EDGEFAAS_WORKER: 'false', EDGEFAAS_TRIGGERS_SQS_VISIBILITY_SECONDS: '2' },
      { providers: { rec } },
    )
    const got = () => rec.invocations.filter((i) => i.name === 'kill-sink')
    await pollUntil(
      '500 distinct jobs to run',
      async () => new Set(got().map((i) => i.body)).size >= 500,
      120_000,
      200,
    )
    await pollUntil('the queue to be empty', async () => (await remaining(url)) === 0, 30_000, 200)
    expect(new Set(got().map((i) => i.body)).size).toBe(500)
    expect(got()).toHaveLength(500)
  }, 240_000)
})
