/**
 * Trigger annotations are checked at deploy, through the real faas-cli: a bad schedule, a malformed
 * topic, or a queue/subject the operator did not allow fails with a 400 saying what to fix, and nothing
 * is stored. A good one is wired with no other step: `faas-cli deploy --annotation topic=cron-function`
 * makes the function run on its schedule, and `/system/triggers` lists it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFaasCli } from '../harness/faas-cli.ts'
import { type NatsServer, startNats } from '../harness/nats.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { createRecordingProvider } from '../harness/recording-provider.ts'

describe('trigger annotations through faas-cli deploy', () => {
  let g: TestGateway
  let nats: NatsServer
  let home: string
  const rec = createRecordingProvider()
  const faasCli = (args: string[], input?: string) => runFaasCli(args, { home, input })
  const deploy = (name: string, ...annotations: string[]) =>
    faasCli([
      'deploy',
      '-g',
      g.url,
      '--name',
      name,
      '--image',
      `ghcr.io/example/${name}:latest`,
      '--fprocess',
      'cat',
      '--annotation',
      'edgefaas.dev/backends=rec',
      ...annotations.flatMap((a) => ['--annotation', a]),
    ])
  const auth = () => ({ authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` })
  const exists = async (name: string) =>
    (await fetch(`${g.url}/system/function/${name}`, { headers: auth() })).status === 200

  beforeAll(async () => {
    nats = await startNats()
    g = await startTestGateway(
      {
        EDGEFAAS_TRIGGERS_SQS_QUEUES: 'orders,team-a-*',
        EDGEFAAS_TRIGGERS_SQS_REGION: 'eu-west-1',
        EDGEFAAS_TRIGGERS_SQS_ENDPOINT: 'http://127.0.0.1:9',
        EDGEFAAS_TRIGGERS_NATS_SUBJECTS: 'events.>',
        EDGEFAAS_TRIGGERS_NATS_URL: nats.url,
      },
      { providers: { rec } },
    )
    home = await mkdtemp(join(tmpdir(), 'edgefaas-faas-cli-'))
    const login = await faasCli(['login', '-g', g.url, '-u', g.user, '--password-stdin'], g.password)
    expect(login.code, login.output).toBe(0)
  })
  afterAll(async () => {
    await g?.close()
    await nats?.stop()
    await rm(home, { recursive: true, force: true })
  })

  it.each([
    ['bad-cron', ['topic=cron-function', 'schedule=*/5 * * *'], /400.*schedule.*not a cron expression/],
    ['no-schedule', ['topic=cron-function'], /400.*needs a schedule annotation/],
    ['bad-minute', ['topic=cron-function', 'schedule=61 * * * *'], /400.*minute/],
    [
      'bad-zone',
      ['topic=cron-function', 'schedule=* * * * *', 'edgefaas.dev/schedule-timezone=Mars/Olympus'],
      /400.*IANA time zone/,
    ],
    ['bad-queue', ['topic=sqs:no spaces'], /400.*must name an SQS queue/],
    ['not-allowed-queue', ['topic=sqs:payroll'], /400.*EDGEFAAS_TRIGGERS_SQS_QUEUES/],
    ['bad-subject', ['topic=nats:events..x'], /400.*must be a NATS subject/],
    ['not-allowed-subject', ['topic=nats:_INBOX.>'], /400.*EDGEFAAS_TRIGGERS_NATS_SUBJECTS/],
    ['bad-batch', ['topic=sqs:orders', 'edgefaas.dev/trigger-batch-size=50'], /400.*from 1 to 10/],
  ])('%s fails the deploy with a 400 naming the fix', async (name, annotations, message) => {
    const run = await deploy(name, ...annotations)
    expect(run.code, run.output).not.toBe(0)
    expect(run.output).toMatch(message)
    expect(await exists(name)).toBe(false)
  })

  it('allowed queues, subjects and other topics deploy', async () => {
    for (const [name, topic] of [
      ['ok-queue', 'topic=sqs:orders'],
      ['ok-prefix', 'topic=sqs:team-a-jobs'],
      ['ok-subject', 'topic=nats:events.orders.*'],
      ['ok-external', 'topic=faas-request,kafka-topic'],
    ] as const) {
      const run = await deploy(name, topic)
      expect(run.code, run.output).toBe(0)
    }
  })

  it('faas-cli deploy --annotation topic=cron-function wires the schedule with no other step', async () => {
    const run = await deploy('every-second', 'topic=cron-function', 'schedule=*/1 * * * * *')
    expect(run.code, run.output).toBe(0)
    await pollUntil(
      'the cron function to run twice',
      async () => rec.invocations.filter((i) => i.name === 'every-second').length >= 2,
      20_000,
      100,
    )
    const listed = (await (await fetch(`${g.url}/system/triggers`, { headers: auth() })).json()) as Array<
      Record<string, unknown>
    >
    const entry = listed.find((t) => t.function === 'every-second')
    expect(entry).toMatchObject({
      source: 'cron',
      topic: 'cron-function',
      active: true,
      schedule: '*/1 * * * * *',
    })
    expect(entry?.deliveries).toBeGreaterThanOrEqual(2)
    expect(typeof entry?.lastDeliveryAt).toBe('string')
    expect((await fetch(`${g.url}/system/triggers`)).status).toBe(401)
  })
})
