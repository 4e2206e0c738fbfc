/**
 * The `topic` annotation's rules, without a gateway: which source owns which topic, the allow-lists, and
 * the deploy-time messages.
 */
import { describe, expect, it } from 'vitest'
import { metadataHeader } from '../../src/triggers/headers.ts'
import { subscriptionsOf, topicsOf, triggerProblem } from '../../src/triggers/topics.ts'

const policy = {
  sqsQueues: ['orders', 'team-a-*', 'https://sqs.eu-west-1.amazonaws.com/1/billing'],
  natsSubjects: ['events.>', 'exact.one'],
}

describe('topicsOf and subscriptionsOf', () => {
  it('reads a comma-separated list, trimmed, each once', () => {
    expect(topicsOf({ topic: ' cron-function, sqs:orders,,cron-function ' })).toEqual([
      'cron-function',
      'sqs:orders',
    ])
    expect(topicsOf({})).toEqual([])
  })
  it('subscribes only to topics a source owns; others are left to external connectors', () => {
    const subs = subscriptionsOf({
      namespace: 'openfaas-fn',
      name: 'f',
      annotations: { topic: 'cron-function,sqs:orders,nats:events.x,kafka-payments', schedule: '* * * * *' },
      since: 0,
    })
    expect(subs.map((s) => [s.source, s.topic])).toEqual([
      ['cron', 'cron-function'],
      ['sqs', 'sqs:orders'],
      ['nats', 'nats:events.x'],
    ])
  })
})

describe('triggerProblem', () => {
  const problem = (annotations: Record<string, string>) => triggerProblem(annotations, policy)
  it.each([
    [{ topic: 'cron-function', schedule: '*/5 * * * *' }],
    [{ topic: 'cron-function', schedule: '*/10 * * * * *' }],
    [{ topic: 'cron-function', schedule: '@hourly', 'edgefaas.dev/schedule-timezone': 'Europe/Berlin' }],
    [{ topic: 'sqs:orders' }],
    [{ topic: 'sqs:team-a-jobs.fifo' }],
    [{ topic: 'sqs:https://sqs.eu-west-1.amazonaws.com/1/billing' }],
    [{ topic: 'nats:events.>' }],
    [{ topic: 'nats:events.*.created' }],
    [{ topic: 'nats:exact.one' }],
    [{ topic: 'faas-request' }],
    [{ schedule: 'not read without the cron topic' }],
  ])('accepts %j', (annotations) => {
    expect(problem(annotations)).toBeNull()
  })
  it.each([
    [{ topic: 'cron-function' }, /needs a schedule annotation/],
    [{ topic: 'cron-function', schedule: '* * *' }, /not a cron expression/],
    [{ topic: 'cron-function', schedule: '* * 31 2 *' }, /never runs again|not a cron expression/],
    [{ topic: 'cron-function', schedule: `${'1,'.repeat(200)}1 * * * *` }, /longer than 256/],
    [{ topic: 'sqs:' }, /must name an SQS queue/],
    [{ topic: 'sqs:team-b-jobs' }, /does not allow/],
    [{ topic: 'sqs:https://sqs.eu-west-1.amazonaws.com/1/other' }, /does not allow/],
    [{ topic: 'sqs:https://user:pw@sqs.eu-west-1.amazonaws.com/1/billing' }, /not an SQS queue URL/],
    [{ topic: 'nats:events' }, /does not allow/],
    [{ topic: 'nats:exact.*' }, /does not allow/],
    [{ topic: 'nats:events.>.x' }, /must be a NATS subject/],
    [{ topic: 'nats:events.a b' }, /must be a NATS subject/],
    [{ topic: 'nats:>' }, /does not allow/],
    [{ topic: 'nats:events.x', 'edgefaas.dev/trigger-concurrency': '0' }, /from 1 to 32/],
  ])('refuses %j', (annotations, message) => {
    expect(problem(annotations)).toMatch(message)
  })
  it('refuses every SQS and NATS topic when the allow-lists are empty (the default)', () => {
    const closed = { sqsQueues: [], natsSubjects: [] }
    expect(triggerProblem({ topic: 'sqs:orders' }, closed)).toMatch(/SQS triggers are off/)
    expect(triggerProblem({ topic: 'nats:events.x' }, closed)).toMatch(/NATS triggers are off/)
    expect(triggerProblem({ topic: 'cron-function', schedule: '* * * * *' }, closed)).toBeNull()
  })
})

describe('metadataHeader', () => {
  it('prefixes a message attribute and refuses what cannot be a safe header', () => {
    expect(metadataHeader('x-sqs-attribute-', 'Tenant', 'a')).toEqual(['x-sqs-attribute-tenant', 'a'])
    expect(metadataHeader('x-sqs-attribute-', 'Authorization', 'x')?.[0]).toBe(
      'x-sqs-attribute-authorization',
    )
    expect(metadataHeader('x-nats-header-', 'bad name', 'x')).toBeNull()
    expect(metadataHeader('x-nats-header-', 'X', 'a\r\nInjected: 1')).toBeNull()
    expect(metadataHeader('x-nats-header-', 'X', 'v'.repeat(4097))).toBeNull()
  })
})
