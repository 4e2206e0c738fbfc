/**
 * @module
 * The NATS source: one consumer per subject any function names (`nats:<subject>`), on every gateway.
 *
 * A subject some JetStream stream captures is read through a durable pull consumer shared by every
 * gateway (`edgefaas-trigger-<hash of the subject>`, filtered on the subject), so the server shards the
 * messages among gateways and keeps them across restarts. It starts at the earliest subscriber's last
 * update, so messages published right after a deploy are not missed and older history is not replayed.
 * A message is acked (and the ack confirmed) only after every subscribed function's call is durably in
 * the gateway's queue; `working()` keeps it held meanwhile; a failure naks it for redelivery, which maps
 * to the same call ids (deliver.ts).
 *
 * Any other subject is read with a core NATS queue subscription (group `edgefaas-triggers`): one gateway
 * gets each message, at most once (fire-and-forget, as core NATS itself). Each sync looks again for a
 * stream, so creating one later moves the subject to JetStream.
 *
 * Headers: `X-Nats-Subject`, `X-Nats-Sequence` (JetStream), and each NATS header as
 * `X-Nats-Header-<name>`.
 */
import { AckPolicy, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { Msg, MsgHdrs, NatsConnection, Subscription as NatsSubscription } from '@nats-io/nats-core'
import { sleep } from '../../queue/sleep.ts'
import { metadataHeader } from '../headers.ts'
import { createLimiter, keepHeld } from '../held.ts'
import { consumerSettings } from '../settings.ts'
import { regroupByTopic } from '../topic-consumers.ts'
import type { Subscription, TriggerContext, TriggerEvent, TriggerSource } from '../types.ts'
import { natsSubjectOf } from './topic.ts'

export interface NatsSourceOptions {
  connection: NatsConnection
  context: TriggerContext
  /** How long the server waits for an ack before redelivering. Default 30 s. */
  ackWaitMs?: number
}

interface Consumer {
  topic: string
  subject: string
  subscribers: Subscription[]
  batchSize: number
  concurrency: number
  mode: 'jetstream' | 'core' | 'pending'
  stream: string | null
  core: NatsSubscription | null
  stop: AbortController
  loops: Promise<void>[]
}

/** Deliveries of one JetStream message that failed to be recorded before it is given up. */
const MAX_DELIVERIES = 20

async function durableName(subject: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(subject))
  return `edgefaas-trigger-${[...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

function headersOf(subject: string, headers: MsgHdrs | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['x-topic', `nats:${subject}`],
    ['x-connector', 'edgefaas-nats'],
    ['x-nats-subject', subject],
  ]
  for (const name of headers?.keys() ?? []) {
    const header = metadataHeader('x-nats-header-', name, headers?.get(name) ?? '')
    if (header) out.push(header)
  }
  return out
}

export function createNatsSource(options: NatsSourceOptions): TriggerSource {
  const { connection: nc, context } = options
  const ackWaitMs = options.ackWaitMs ?? 30_000
  const consumers = new Map<string, Consumer>()
  const js = jetstream(nc)
  const managerP = jetstreamManager(nc).catch(() => null)

  const deliverAll = (consumer: Consumer, event: TriggerEvent) =>
    Promise.all(consumer.subscribers.map((s) => context.deliver(s, event)))

  async function streamOf(subject: string): Promise<string | null> {
    const jsm = await managerP
    if (!jsm) return null
    return await jsm.streams.find(subject).catch(() => null)
  }

  async function ensureDurable(consumer: Consumer, stream: string): Promise<string> {
    const jsm = await managerP
    if (!jsm) throw new Error('JetStream is not available on this NATS server')
    const durable = await durableName(consumer.subject)
    const exists = await jsm.consumers.info(stream, durable).catch(() => null)
    if (!exists) {
      const since = Math.min(...consumer.subscribers.map((s) => s.since))
      await jsm.consumers
        .add(stream, {
          durable_name: durable,
          filter_subject: consumer.subject,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: new Date(since).toISOString(),
          ack_wait: ackWaitMs * 1_000_000,
          max_deliver: -1,
        })
        // Another gateway may have added it meanwhile: then it exists, which is all that is needed.
        .catch(async (error: unknown) => {
          if (!(await jsm.consumers.info(stream, durable).catch(() => null))) throw error
        })
    }
    return durable
  }

  async function handle(consumer: Consumer, msg: JsMsg): Promise<void> {
    const release = keepHeld(
      ackWaitMs,
      async () => msg.working(),
      (error) => context.reportError('nats', consumer.topic, error),
    )
    try {
      await deliverAll(consumer, {
        key: `${msg.info.stream}:${msg.seq}`,
        body: msg.data,
        headers: [...headersOf(msg.subject, msg.headers), ['x-nats-sequence', String(msg.seq)]],
        occurredAt: Math.floor(Number(msg.info.timestampNanos) / 1_000_000),
        redelivered: msg.info.redelivered,
      })
    } catch (error) {
      // A message that cannot be recorded after this many tries (too large for the gateway's queue, say)
      // is given up with an error rather than redelivered forever.
      if (msg.info.deliveryCount >= MAX_DELIVERIES) {
        msg.term()
        context.reportError(
          'nats',
          consumer.topic,
          new Error(
            `message ${msg.seq} dropped after ${MAX_DELIVERIES} failed deliveries: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
      } else msg.nak(Math.min(30_000, 1_000 * msg.info.deliveryCount))
      return
    } finally {
      release()
    }
    await msg.ackAck().catch((error: unknown) => context.reportError('nats', consumer.topic, error))
  }

  async function jetstreamLoop(consumer: Consumer, stream: string, index: number): Promise<void> {
    let backoff = 500
    while (!consumer.stop.signal.aborted && index < consumer.concurrency) {
      try {
        // The consumer is looked up (or added) once, and again only after a failure.
        const reader = await js.consumers.get(stream, await ensureDurable(consumer, stream))
        while (!consumer.stop.signal.aborted && index < consumer.concurrency) {
          const batch = await reader.fetch({ max_messages: consumer.batchSize, expires: 5_000 })
          const work: Promise<void>[] = []
          for await (const msg of batch) work.push(handle(consumer, msg))
          await Promise.all(work)
          backoff = 500
        }
      } catch (error) {
        if (consumer.stop.signal.aborted) break
        context.reportError('nats', consumer.topic, error)
        await sleep(backoff, consumer.stop.signal)
        backoff = Math.min(backoff * 2, 30_000)
      }
    }
  }

  function subscribeCore(consumer: Consumer): void {
    // Core NATS cannot push back: messages beyond the limit wait in the client, in order.
    const limit = createLimiter(consumer.batchSize * consumer.concurrency)
    consumer.core = nc.subscribe(consumer.subject, {
      queue: 'edgefaas-triggers',
      callback: (error, msg: Msg) => {
        if (error) return context.reportError('nats', consumer.topic, error)
        const event: TriggerEvent = {
          key: crypto.randomUUID(),
          body: msg.data,
          headers: headersOf(msg.subject, msg.headers),
          occurredAt: Date.now(),
          redelivered: false,
        }
        void limit(() => deliverAll(consumer, event)).catch(() => undefined)
      },
    })
  }

  async function place(consumer: Consumer): Promise<void> {
    const stream = await streamOf(consumer.subject)
    if (stream && consumer.mode !== 'jetstream') {
      consumer.core?.unsubscribe()
      consumer.core = null
      consumer.mode = 'jetstream'
      consumer.stream = stream
    } else if (!stream && consumer.mode === 'pending') {
      consumer.mode = 'core'
      subscribeCore(consumer)
    }
    if (consumer.mode === 'jetstream' && consumer.stream) {
      const streamName = consumer.stream
      while (consumer.loops.length < consumer.concurrency) {
        const index = consumer.loops.length
        consumer.loops.push(jetstreamLoop(consumer, streamName, index))
      }
    }
  }

  async function stop(consumer: Consumer): Promise<void> {
    consumer.stop.abort()
    consumer.core?.unsubscribe()
    await Promise.all(consumer.loops)
  }

  return {
    kind: 'nats',

    async sync(subscriptions) {
      for (const [topic, subscribers] of await regroupByTopic(subscriptions, consumers, stop)) {
        const settings = consumerSettings(subscribers, 256)
        let consumer = consumers.get(topic)
        if (!consumer) {
          consumer = {
            topic,
            subject: natsSubjectOf(topic) ?? '',
            subscribers,
            ...settings,
            mode: 'pending',
            stream: null,
            core: null,
            stop: new AbortController(),
            loops: [],
          }
          consumers.set(topic, consumer)
        }
        consumer.subscribers = subscribers
        consumer.batchSize = settings.batchSize
        // Concurrency only grows while the consumer runs (a loop once started is not stopped half way).
        consumer.concurrency = Math.max(consumer.loops.length, settings.concurrency)
        await place(consumer).catch((error: unknown) => context.reportError('nats', topic, error))
      }
    },

    describe(subscription) {
      const consumer = consumers.get(subscription.topic)
      return {
        mode: consumer?.mode ?? null,
        stream: consumer?.stream ?? null,
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
