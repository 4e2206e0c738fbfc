/**
 * @module
 * A trigger event becomes an async call: a `CallRecord` enqueued through the same step as
 * `/async-function` (src/queue/enqueue-call.ts), so retries, dead letters and call status apply.
 *
 * The call id is derived from the source, the topic, the message's key and the function, so every
 * delivery of one message to one function is one call: two gateways claiming one cron instant, or a
 * message redelivered after a gateway died, find the call recorded already (ON CONFLICT) and do not run
 * it twice. The one gap between recording and queueing is closed on redelivery: a call still `queued`
 * is queued again, which the queues make idempotent by call id (embedded: the id is the key; NATS: the
 * message id dedupes within two minutes; SQS: the worker runs a call only while it is queued or running).
 */
import { bytesToBase64 } from '../base64.ts'
import type { CallRecord } from '../calls/types.ts'
import { enqueueCall } from '../queue/enqueue-call.ts'
import { queueOf } from '../queue/queue-name.ts'
import type { QueueDriver } from '../queue/types.ts'
import type { Store } from '../store/types.ts'
import type { DeliveryOutcome, Subscription, TriggerEvent } from './types.ts'

const encoder = new TextEncoder()

/** `<source>-<40 hex of SHA-256 over source, topic, key, namespace, function>`: ≤ 128 visible ASCII. */
export async function triggerCallId(subscription: Subscription, key: string): Promise<string> {
  const input = [subscription.source, subscription.topic, key, subscription.namespace, subscription.function]
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(input.join('\u0000')))
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${subscription.source}-${hex.slice(0, 40)}`
}

export async function deliverEvent(
  store: Pick<Store, 'createCall' | 'updateCall' | 'getCall'>,
  queue: QueueDriver,
  subscription: Subscription,
  event: TriggerEvent,
): Promise<DeliveryOutcome> {
  const id = await triggerCallId(subscription, event.key)
  const record: CallRecord = {
    id,
    queue: queueOf(subscription.annotations),
    namespace: subscription.namespace,
    function: subscription.function,
    method: 'POST',
    path: '/',
    query: '',
    headers: [
      ...event.headers.filter(([name]) => name !== 'x-call-id' && name !== 'x-start-time'),
      ['x-call-id', id],
      ['x-start-time', `${event.occurredAt}000000`],
    ],
    body: bytesToBase64(event.body),
    callbackUrl: null,
    // Stable across redeliveries, so a queue that dedupes by id and time (NATS) sees one message.
    enqueuedAt: event.occurredAt,
  }
  const outcome = await enqueueCall(store, queue, record)
  if (outcome === 'enqueued') return 'enqueued'
  if (event.redelivered && (await store.getCall(id))?.status === 'queued') await queue.enqueue(record)
  return 'duplicate'
}
