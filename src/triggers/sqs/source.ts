/**
 * @module
 * The SQS source: one consumer per queue that any function names (`sqs:<queue>`), on every gateway (SQS
 * shares a queue among consumers by visibility). Each loop long-polls (20 s) for up to the batch size,
 * keeps the messages invisible while their calls are recorded (ChangeMessageVisibility every third of the
 * visibility timeout), records one async call per subscribed function, and deletes a message only after
 * every one of its calls is durably in the gateway's queue. A gateway killed mid-batch leaves its
 * messages in SQS; they come back after the visibility timeout and map to the same call ids
 * (deliver.ts), so none is lost and none runs twice.
 *
 * The message body is the request body; `X-Sqs-Message-Id`, `X-Sqs-Queue` and one
 * `X-Sqs-Attribute-<name>` header per string or number message attribute are added (an attribute named
 * Content-Type also sets `Content-Type`).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { sleep } from '../../queue/sleep.ts'
import { metadataHeader } from '../headers.ts'
import { keepHeld } from '../held.ts'
import { consumerSettings } from '../settings.ts'
import { regroupByTopic } from '../topic-consumers.ts'
import type { Subscription, TriggerContext, TriggerSource } from '../types.ts'
import { isSqsQueueUrl, sqsQueueOf } from './topic.ts'

export interface SqsSourceOptions {
  client: SQSClient
  context: TriggerContext
  /** How long a received message stays invisible before it is extended. Default 30 s. */
  visibilitySeconds?: number
  /** Long-poll wait, 0–20 s. Default 20. */
  waitSeconds?: number
}

interface Consumer {
  topic: string
  queue: string
  subscribers: Subscription[]
  concurrency: number
  batchSize: number
  loops: number
  url: string | null
  stop: AbortController
  done: Promise<void>[]
}

const encoder = new TextEncoder()

export function createSqsSource(options: SqsSourceOptions): TriggerSource {
  const { client, context } = options
  const visibility = options.visibilitySeconds ?? 30
  const wait = options.waitSeconds ?? 20
  const consumers = new Map<string, Consumer>()

  async function urlOf(consumer: Consumer): Promise<string> {
    if (consumer.url) return consumer.url
    if (isSqsQueueUrl(consumer.queue)) consumer.url = consumer.queue
    else {
      const found = await client.send(new GetQueueUrlCommand({ QueueName: consumer.queue }))
      if (!found.QueueUrl) throw new Error(`SQS returned no URL for queue ${consumer.queue}`)
      consumer.url = found.QueueUrl
    }
    return consumer.url
  }

  function eventOf(consumer: Consumer, m: Message) {
    const headers: Array<[string, string]> = [
      ['x-topic', consumer.topic],
      ['x-connector', 'edgefaas-sqs'],
      ['x-sqs-message-id', m.MessageId ?? ''],
      ['x-sqs-queue', consumer.queue],
    ]
    for (const [name, attribute] of Object.entries(m.MessageAttributes ?? {})) {
      const value = attribute.StringValue
      const header = value === undefined ? null : metadataHeader('x-sqs-attribute-', name, value)
      if (!header) continue
      headers.push(header)
      if (header[0] === 'x-sqs-attribute-content-type') headers.push(['content-type', header[1]])
    }
    const sent = Number(m.Attributes?.SentTimestamp)
    const receives = Number(m.Attributes?.ApproximateReceiveCount)
    return {
      key: m.MessageId ?? '',
      body: encoder.encode(m.Body ?? ''),
      headers,
      occurredAt: Number.isFinite(sent) && sent > 0 ? sent : Date.now(),
      redelivered: Number.isFinite(receives) && receives > 1,
    }
  }

  async function handle(consumer: Consumer, url: string, m: Message): Promise<void> {
    if (!m.ReceiptHandle || !m.MessageId) return
    const handle = m.ReceiptHandle
    const release = keepHeld(
      visibility * 1000,
      () =>
        client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: handle,
            VisibilityTimeout: visibility,
          }),
        ),
      (error) => context.reportError('sqs', consumer.topic, error),
    )
    try {
      const event = eventOf(consumer, m)
      // Every subscriber's call must be recorded before the message may go; a failure leaves it in SQS
      // for redelivery (the calls already recorded are then found by id, not made twice).
      await Promise.all(consumer.subscribers.map((s) => context.deliver(s, event)))
    } catch {
      return
    } finally {
      release()
    }
    await client
      .send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handle }))
      .catch((error: unknown) => context.reportError('sqs', consumer.topic, error))
  }

  async function loop(consumer: Consumer, index: number): Promise<void> {
    let backoff = 500
    while (!consumer.stop.signal.aborted && index < consumer.concurrency) {
      try {
        const url = await urlOf(consumer)
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: consumer.batchSize,
            WaitTimeSeconds: wait,
            VisibilityTimeout: visibility,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
          { abortSignal: consumer.stop.signal },
        )
        backoff = 500
        await Promise.all((received.Messages ?? []).map((m) => handle(consumer, url, m)))
      } catch (error) {
        if (consumer.stop.signal.aborted) break
        context.reportError('sqs', consumer.topic, error)
        consumer.url = null
        await sleep(backoff, consumer.stop.signal)
        backoff = Math.min(backoff * 2, 30_000)
      }
    }
  }

  function grow(consumer: Consumer): void {
    while (consumer.loops < consumer.concurrency) {
      const index = consumer.loops++
      consumer.done.push(
        loop(consumer, index).finally(() => {
          consumer.loops = Math.min(consumer.loops, index)
        }),
      )
    }
  }

  async function stop(consumer: Consumer): Promise<void> {
    consumer.stop.abort()
    await Promise.all(consumer.done)
  }

  return {
    kind: 'sqs',

    async sync(subscriptions) {
      for (const [topic, subscribers] of await regroupByTopic(subscriptions, consumers, stop)) {
        const settings = consumerSettings(subscribers, 10)
        let consumer = consumers.get(topic)
        if (!consumer) {
          consumer = {
            topic,
            queue: sqsQueueOf(topic) ?? '',
            subscribers,
            ...settings,
            loops: 0,
            url: null,
            stop: new AbortController(),
            done: [],
          }
          consumers.set(topic, consumer)
        }
        consumer.subscribers = subscribers
        consumer.batchSize = settings.batchSize
        consumer.concurrency = settings.concurrency
        grow(consumer)
      }
    },

    describe(subscription) {
      const consumer = consumers.get(subscription.topic)
      return {
        queueUrl: consumer?.url ?? null,
        batchSize: consumer?.batchSize ?? null,
        concurrency: consumer?.concurrency ?? null,
      }
    },

    async close() {
      const all = [...consumers.values()]
      consumers.clear()
      await Promise.all(all.map(stop))
    },
  }
}
