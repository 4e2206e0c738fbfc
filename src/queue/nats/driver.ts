/**
 * @module
 * Queue driver on NATS JetStream (works with nats-server 2.9 and later).
 *
 * Each named queue is one stream (`<streamPrefix><queue>`, subject `<subjectPrefix>.<queue>`, work-queue
 * retention, file storage) with one durable pull consumer with explicit acks. Publishes carry the call
 * id and enqueue time as `Nats-Msg-Id`, so a retried enqueue inside the stream's duplicate window (2 minutes)
 * is stored once while a replay (a new enqueue of the same call) is not mistaken for it.
 *
 * Leases: JetStream has one ack wait per consumer, not one per delivery, so the consumer's ack wait is
 * fixed (`ackWaitMs`, default 10 s) and each message's own `leaseMs` is enforced by the receiving process
 * (nats-leases.ts): it re-arms the ack wait with `+WPI` while the lease runs and releases the message with
 * `-NAK` when it ends. So leases are exact while that process lives; if it dies, its messages come back
 * after at most one ack wait (sooner or later than their lease). `extend` sends `+WPI` and restarts the
 * lease in the calling process. `retry(delay)` is `-NAK` with a delay; a delayed message still counts
 * toward the consumer's `max_ack_pending` until it is redelivered.
 *
 * Receipts are the message's ack subject (`$JS.ACK.…`), which is all the server needs to ack, nak or
 * extend it. So a receipt stays valid across reconnects and in any process connected to the same
 * account, not only in the one that received it (the lease keep-alive, though, runs in the process that
 * received or last extended the message). Caveat of nats-server 2.9: a receipt whose lease has ended
 * still acts on the message's current delivery (an ack removes it, a retry naks somebody else's lease).
 *
 * `close()` stops intake (`enqueue`, `receive`, `depth`), ends waiting receives, and drains the
 * connection it opened; stop the worker (ack or release in-flight calls) before closing the queue.
 *
 * Messages are limited by the server's `max_payload` (1 MiB by default): a larger call record is refused
 * by `enqueue` with an error that says so.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream'
import { type Msg, type NatsConnection, RequestError, TimeoutError } from '@nats-io/nats-core'
import type { CallRecord, QueueDriver, QueueMessage, ReceiveOptions } from '../types.ts'
import { createLeaseTracker } from './leases.ts'
import { deliveryCountOf, isAckSubject, nameToken } from './names.ts'
import { pull } from './pull.ts'

export interface NatsQueueOptions {
  /**
   * The connection, opened by the runtime (Node: `@nats-io/transport-node`; elsewhere a WebSocket or
   * socket transport), so this driver stays runtime-neutral.
   */
  connection: NatsConnection
  /** True when `close()` should drain the connection (the runtime opened it for this queue alone). */
  ownsConnection?: boolean
  /** The connection's inbox prefix, when it was opened with a custom one (pull requests reply there). */
  inboxPrefix?: string
  /** Stream name = prefix + encoded queue name. Default `EDGEFAAS_`. */
  streamPrefix?: string
  /** Subject = `<subjectPrefix>.<encoded queue name>`. Default `edgefaas.calls`. */
  subjectPrefix?: string
  /** Durable consumer name, the same on every stream. Default `edgefaas-worker`. */
  durable?: string
  /**
   * The consumers' ack wait: how long a message stays with a process that died before it comes back.
   * Leases themselves are per message (see the module notes). Default 10 000 ms.
   */
  ackWaitMs?: number
  /** Leased plus delayed messages a consumer may hold before it stops delivering. Default 20 000. */
  maxAckPending?: number
  /** Stream replicas (3 for a JetStream cluster). Default 1. */
  replicas?: number
  /** Timeout of JetStream API calls, publishes and acks. Default 5 000 ms. */
  timeoutMs?: number
}

interface Target {
  stream: string
  subject: string
  /** Where pull requests go. */
  next: string
}

const ms = (millis: number) => Math.max(1, Math.round(millis)) * 1_000_000

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code
}

function isNoResponders(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof RequestError && e.isNoResponders()) return true
  }
  return false
}

function toRecord(msg: Msg): CallRecord | null {
  try {
    const value: unknown = msg.json()
    if (typeof value !== 'object' || value === null) return null
    const record = value as Partial<CallRecord>
    return typeof record.id === 'string' && typeof record.queue === 'string' ? (value as CallRecord) : null
  } catch {
    return null
  }
}

export async function createNatsQueue(options: NatsQueueOptions): Promise<QueueDriver> {
  const owned = options.ownsConnection ?? false
  const nc = options.connection
  const timeout = options.timeoutMs ?? 5_000
  let jsm: JetStreamManager
  let js: JetStreamClient
  try {
    jsm = await jetstreamManager(nc, { timeout })
    js = jetstream(nc, { timeout })
  } catch (err) {
    if (owned) await nc.close()
    throw new Error('NATS is reachable but JetStream is not enabled there (start nats-server with -js).', {
      cause: err,
    })
  }
  const streamPrefix = options.streamPrefix ?? 'EDGEFAAS_'
  const subjectPrefix = options.subjectPrefix ?? 'edgefaas.calls'
  const durable = options.durable ?? 'edgefaas-worker'
  const ackWaitMs = options.ackWaitMs ?? 10_000
  const inboxPrefix = options.inboxPrefix
  const targets = new Map<string, Promise<Target>>()
  let closed = false
  // Aborts waiting receives on close(), so they return at once instead of holding shutdown up.
  const closing = new AbortController()
  // Lease signals are only worth sending while connected: the client would queue them and deliver them
  // late after a reconnect, when they may hit somebody else's delivery.
  let connected = true
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false
      else if (status.type === 'reconnect') connected = true
    }
  })()
  const leases = createLeaseTracker(ackWaitMs, (receipt, signal) => {
    if (!connected || nc.isClosed() || nc.isDraining()) return false
    nc.publish(receipt, signal)
    return true
  })

  async function create(queue: string): Promise<Target> {
    const token = nameToken(queue)
    const stream = `${streamPrefix}${token}`
    const subject = `${subjectPrefix}.${token}`
    try {
      const info = await jsm.streams.info(stream)
      if (!info.config.subjects.includes(subject)) {
        throw new Error(
          `NATS stream ${stream} exists but does not take subject ${subject}; delete or fix it.`,
        )
      }
      // Raising the replica count (going from one node to a cluster) is done in place by the server,
      // which copies the stream to the new peers. Never lowered here: gateways configured differently
      // during a rollout must not flip the stream back and forth; lower it with the nats CLI.
      const replicas = options.replicas ?? 1
      if (info.config.num_replicas < replicas) {
        await jsm.streams.update(stream, { num_replicas: replicas })
      }
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err
      await jsm.streams
        .add({
          name: stream,
          subjects: [subject],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          num_replicas: options.replicas ?? 1,
        })
        // Another gateway may have created it in the meantime; that is fine if it now exists.
        .catch(
          async (addErr: unknown) =>
            void (await jsm.streams.info(stream).catch(() => Promise.reject(addErr))),
        )
    }
    const info = await jsm.consumers.info(stream, durable).catch(async (err: unknown) => {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err
      return await jsm.consumers
        .add(stream, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          // Retries and dead-lettering are the worker's business: the server must never drop a message.
          max_deliver: -1,
          ack_wait: ms(ackWaitMs),
          max_ack_pending: options.maxAckPending ?? 20_000,
        })
        .catch(
          async (addErr: unknown) =>
            await jsm.consumers.info(stream, durable).catch(() => Promise.reject(addErr)),
        )
    })
    // The configured ack wait wins over whatever an earlier configuration left on the consumer.
    if (info.config.ack_wait !== ms(ackWaitMs)) {
      await jsm.consumers.update(stream, durable, { ack_wait: ms(ackWaitMs) })
    }
    return { stream, subject, next: `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}` }
  }

  /** Streams and consumers are checked once per queue; a failure or a sign they vanished forgets that. */
  async function target(queue: string): Promise<Target> {
    if (closed) throw new Error('the NATS queue driver is closed')
    let found = targets.get(queue)
    if (!found) {
      found = create(queue)
      targets.set(queue, found)
      found.catch(() => targets.delete(queue))
    }
    return await found
  }

  function forget(queue: string, err: unknown): void {
    const gone =
      isApiError(err, JetStreamApiCodes.StreamNotFound) || isApiError(err, JetStreamApiCodes.ConsumerNotFound)
    if (gone) targets.delete(queue)
  }

  /**
   * Acks, naks and `+WPI`s as requests: the server answers once it has applied them. `+ACK` and `+WPI`
   * are sent again when unanswered (as after a reconnect); a nak is not, since a second one could hit
   * the next delivery of the message.
   */
  async function ackOp(message: QueueMessage, payload: string): Promise<void> {
    if (!isAckSubject(message.receipt)) throw new Error('not a receipt of the NATS queue driver')
    const repeatable = !payload.startsWith('-NAK')
    const deadline = Date.now() + timeout
    for (;;) {
      try {
        const attemptMs = repeatable ? Math.max(100, Math.min(2_000, deadline - Date.now())) : timeout
        await nc.request(message.receipt, payload, { timeout: attemptMs })
        return
      } catch (err) {
        if (!repeatable || !(err instanceof TimeoutError) || Date.now() >= deadline) throw err
      }
    }
  }

  /** Best effort: a signal that cannot be sent is covered by the server's ack wait. */
  function signal(msg: Msg, payload: string): void {
    if (!msg.reply || nc.isClosed()) return
    try {
      nc.publish(msg.reply, payload)
    } catch {}
  }
  // Late messages (nobody waits for them any more) go back at once rather than after an ack wait.
  const release = (msg: Msg) => signal(msg, '-NAK')

  function toMessages(msgs: Msg[], leaseMs: number): QueueMessage[] {
    if (closed) {
      for (const msg of msgs) release(msg)
      return []
    }
    const out: QueueMessage[] = []
    for (const msg of msgs) {
      const record = toRecord(msg)
      if (!record || !msg.reply) {
        // Not a call record: it can never succeed, so remove it rather than redeliver it forever.
        signal(msg, '+TERM')
        continue
      }
      leases.hold(msg.reply, leaseMs)
      out.push({ record, receipt: msg.reply, deliveryCount: deliveryCountOf(msg.reply) })
    }
    return out
  }

  return {
    kind: 'nats',

    async enqueue(record) {
      const data = new TextEncoder().encode(JSON.stringify(record))
      const limit = nc.info?.max_payload
      if (limit && data.byteLength > limit) {
        throw new Error(
          `The call is ${data.byteLength} bytes once queued, over the NATS server's max_payload of ${limit} bytes. ` +
            'Raise max_payload on the server or lower the async request body limit.',
        )
      }
      // Publishing again is safe (the call id deduplicates), so transient failures are retried until
      // the timeout: a publish sent while reconnecting can vanish without an answer.
      const deadline = Date.now() + timeout
      for (let attempt = 1; ; attempt++) {
        const t = await target(record.queue)
        try {
          const attemptMs = Math.max(100, Math.min(2_000, deadline - Date.now()))
          await js.publish(t.subject, data, {
            // The id of this enqueue, not of the call: a dead letter replayed within the duplicate
            // window is a new enqueue (new enqueuedAt) and must not be dropped as a duplicate.
            msgID: `${record.id}@${record.enqueuedAt}`,
            expect: { streamName: t.stream },
            timeout: attemptMs,
          })
          return
        } catch (err) {
          // No responders: no stream takes the subject (the server lost its state); create it again.
          const noStream = isNoResponders(err)
          if (noStream) targets.delete(record.queue)
          if (!(noStream || err instanceof TimeoutError) || Date.now() >= deadline) throw err
          await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)))
        }
      }
    },

    async receive(queue, { max, leaseMs, waitMs, signal }: ReceiveOptions) {
      if (max < 1) return []
      const t = await target(queue)
      const signalled = { signal: signal ? AbortSignal.any([signal, closing.signal]) : closing.signal }
      const noteOutcome = (outcome: string) => {
        // Silence means the consumer may be gone (or the link is down): check it again next time.
        if (outcome === 'silent' || outcome === 'conflict') targets.delete(queue)
      }
      const first = await pull(nc, t.next, { batch: max, ...signalled }, release, inboxPrefix)
      noteOutcome(first.outcome)
      const msgs = first.messages
      if (msgs.length === 0 && waitMs > 0 && first.outcome !== 'aborted') {
        const waited = await pull(
          nc,
          t.next,
          { batch: 1, expiresMs: waitMs, ...signalled },
          release,
          inboxPrefix,
        )
        noteOutcome(waited.outcome)
        msgs.push(...waited.messages)
        if (waited.messages.length > 0 && max > 1) {
          const rest = await pull(nc, t.next, { batch: max - 1, ...signalled }, release, inboxPrefix)
          msgs.push(...rest.messages)
        }
      }
      return toMessages(msgs, leaseMs)
    },

    async ack(message) {
      leases.drop(message.receipt)
      await ackOp(message, '+ACK')
    },

    async retry(message, delayMs) {
      leases.drop(message.receipt)
      await ackOp(message, delayMs > 0 ? `-NAK ${JSON.stringify({ delay: ms(delayMs) })}` : '-NAK')
    },

    async extend(message, leaseMs) {
      await ackOp(message, '+WPI')
      if (!closed) leases.hold(message.receipt, leaseMs)
    },

    async depth(queue) {
      const t = await target(queue)
      try {
        const info = await jsm.consumers.info(t.stream, durable)
        return info.num_pending + info.num_ack_pending
      } catch (err) {
        forget(queue, err)
        throw err
      }
    },

    async ready() {
      if (closed || nc.isClosed()) throw new Error('the NATS queue driver is closed')
      if (!connected) throw new Error('NATS is disconnected (reconnecting)')
      // A JetStream API round trip: in a cluster it needs a meta leader, which publishes need too.
      await jsm.getAccountInfo()
    },

    async close() {
      if (closed) return
      closed = true
      closing.abort()
      leases.clear()
      // Drain lets in-flight publishes and acks reach the server before the connection closes.
      // With the servers gone a drain cannot finish: close instead, unacked messages come back anyway.
      if (owned && !nc.isClosed()) await nc.drain().catch(async () => await nc.close())
    },
  }
}
