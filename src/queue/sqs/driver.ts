/**
 * @module
 * Queue driver on Amazon SQS (standard queues), one SQS queue per named queue.
 *
 * Mapping: `receive` is ReceiveMessage with the lease as VisibilityTimeout, `retry(delay)` and
 * `extend(lease)` are ChangeMessageVisibility (from now), `ack` is DeleteMessage, the delivery count is
 * `ApproximateReceiveCount`, and `depth` sums the visible, in-flight and delayed approximate counts.
 * SQS counts visibility in whole seconds: leases and delays are rounded up to the next second (a 300 ms
 * lease lasts 1 s) and capped at 12 hours. Long polls also count whole seconds (at most 20): `receive`
 * long-polls the whole seconds of `waitMs` and covers the rest with a sleep and a short poll, so a
 * sub-second wait costs two requests and one arriving meanwhile is seen at the end of it.
 *
 * Claim check: a record whose JSON is over `maxInlineBytes` is sent without its body, with the
 * `edgefaas-claim-check` message attribute; the body goes to `payloads` under the call id first and is
 * put back by `receive`. `ack` deletes the message, then the payload. So once a call is acked, any other
 * copy of it (SQS standard queues may deliver a message twice, and a retried enqueue sends it twice)
 * finds no payload: `receive` deletes such copies instead of returning them. A payload whose message
 * was never sent is left behind: give the payload store an expiry.
 *
 * Receipts are JSON (`{"handle":…,"claim":…}`); SQS receipt handles work from any process. Receipts
 * of a lease that has ended are ignored by `retry` and `extend`; `ack` with one may or may not delete the
 * message (SQS's own rule), and a message acked that way is not returned again if it was claim-checked.
 * SQS standard queues do not deduplicate: enqueueing one call twice gives two messages.
 *
 * `close()` stops intake (`enqueue`, `receive`, `depth`) and ends waiting receives; acks, retries and
 * extensions still work. The SQS client belongs to the caller, who destroys it.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { sleep } from '../sleep.ts'
import type { CallRecord, QueueDriver, QueueMessage, ReceiveOptions } from '../types.ts'
import { sqsQueueName } from './names.ts'

/** Where claim-checked bodies live (an S3 bucket, a KV namespace, …). Keys are call ids. */
export interface SqsPayloadStore {
  put(id: string, body: string): Promise<void>
  get(id: string): Promise<string | null>
  delete(id: string): Promise<void>
}

export interface SqsQueueOptions {
  client: SQSClient
  /** Resolves a named queue to its SQS queue URL. Without it, queues are created on first use. */
  queueUrlFor?: (queue: string) => Promise<string>
  /** SQS queue name = prefix + escaped queue name, when queues are created. Default `edgefaas-`. */
  queueNamePrefix?: string
  /** Attributes of created queues. Default: 14 days retention (SQS's maximum; its default is 4 days). */
  queueAttributes?: Record<string, string>
  /** Needed to send records over `maxInlineBytes`; without it they are refused. */
  payloads?: SqsPayloadStore
  /** Serialised records above this go through the claim check. Default 200 KiB (SQS allows 256 KiB). */
  maxInlineBytes?: number
}

export const claimCheckAttribute = 'edgefaas-claim-check'

const maxSeconds = 43_200
const toSeconds = (ms: number) => Math.min(maxSeconds, Math.max(0, Math.ceil(ms / 1_000)))
const encoder = new TextEncoder()

interface Receipt {
  handle: string
  claim: boolean
}

function readReceipt(message: QueueMessage): Receipt {
  try {
    const value: unknown = JSON.parse(message.receipt)
    const receipt = value as Partial<Receipt>
    if (typeof receipt.handle === 'string' && typeof receipt.claim === 'boolean') return receipt as Receipt
  } catch {}
  throw new Error('not a receipt of the SQS queue driver')
}

/** SQS refuses U+FFFE and U+FFFF in a body, which JSON.stringify leaves raw; escaping keeps the same JSON. */
function toBody(value: unknown): string {
  return JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
}

function parseRecord(body: string | undefined): CallRecord | null {
  try {
    const value: unknown = JSON.parse(body ?? '')
    const record = value as Partial<CallRecord>
    return typeof record.id === 'string' && typeof record.queue === 'string' ? (value as CallRecord) : null
  } catch {
    return null
  }
}

/** An ended lease: SQS says MessageNotInflight, or InvalidParameterValue with this reason. */
function isLeaseGone(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return (
    err.name === 'MessageNotInflight' ||
    (err.name === 'InvalidParameterValue' && /not available for visibility timeout change/i.test(err.message))
  )
}

export function createSqsQueue(options: SqsQueueOptions): QueueDriver {
  const { client, payloads } = options
  const maxInline = options.maxInlineBytes ?? 200 * 1024
  const prefix = options.queueNamePrefix ?? 'edgefaas-'
  const attributes = options.queueAttributes ?? { MessageRetentionPeriod: '1209600' }
  const urls = new Map<string, Promise<string>>()
  // Aborts waiting receives on close(), so they return at once instead of holding shutdown up.
  const closing = new AbortController()

  async function create(queue: string): Promise<string> {
    if (options.queueUrlFor) return await options.queueUrlFor(queue)
    const name = await sqsQueueName(prefix, queue)
    try {
      const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))
      if (created.QueueUrl) return created.QueueUrl
    } catch (err) {
      // It exists with other attributes (set by hand, or by an older configuration): use it as it is.
      if (!(err instanceof Error && /QueueNameExists|QueueAlreadyExists/.test(err.name))) throw err
    }
    const found = await client.send(new GetQueueUrlCommand({ QueueName: name }))
    if (!found.QueueUrl) throw new Error(`SQS returned no URL for queue ${name}`)
    return found.QueueUrl
  }

  /** Stops intake after close(); acks, retries and extensions of calls in flight still work. */
  function open(): void {
    if (closing.signal.aborted) throw new Error('the SQS queue driver is closed')
  }

  async function urlOf(queue: string): Promise<string> {
    let url = urls.get(queue)
    if (!url) {
      url = create(queue)
      urls.set(queue, url)
      url.catch(() => urls.delete(queue))
    }
    return await url
  }

  async function deleteMessage(url: string, handle: string): Promise<void> {
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handle }))
  }

  async function changeVisibility(message: QueueMessage, ms: number): Promise<void> {
    const { handle } = readReceipt(message)
    const url = await urlOf(message.record.queue)
    try {
      const command = { QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: toSeconds(ms) }
      await client.send(new ChangeMessageVisibilityCommand(command))
    } catch (err) {
      // The lease already ended: the message is somebody else's now, as with the other drivers.
      if (!isLeaseGone(err)) throw err
    }
  }

  /** Restores claim-checked bodies. Copies of acked calls (no payload any more) are deleted and skipped. */
  async function toMessages(url: string, messages: Message[]): Promise<QueueMessage[]> {
    const out: QueueMessage[] = []
    for (const m of messages) {
      if (!m.ReceiptHandle) continue
      const record = parseRecord(m.Body)
      // Not a call record: it can never succeed, so remove it rather than redeliver it forever.
      if (!record) {
        await deleteMessage(url, m.ReceiptHandle)
        continue
      }
      const claim = m.MessageAttributes?.[claimCheckAttribute] !== undefined
      if (claim) {
        if (!payloads)
          throw new Error('A claim-checked message arrived but the SQS driver has no payload store.')
        const body = await payloads.get(record.id)
        if (body === null) {
          await deleteMessage(url, m.ReceiptHandle)
          continue
        }
        record.body = body
      }
      const count = Number(m.Attributes?.ApproximateReceiveCount)
      out.push({
        record,
        receipt: JSON.stringify({ handle: m.ReceiptHandle, claim } satisfies Receipt),
        deliveryCount: Number.isInteger(count) && count > 0 ? count : 1,
      })
    }
    return out
  }

  /** Best effort: makes leased messages available again at once (a receive failed half way). */
  async function release(url: string, messages: Message[]): Promise<void> {
    await Promise.all(
      messages.map((m) =>
        client
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: url,
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            }),
          )
          .catch(() => {}),
      ),
    )
  }

  return {
    kind: 'sqs',

    async enqueue(record) {
      open()
      const url = await urlOf(record.queue)
      const inline = toBody(record)
      if (encoder.encode(inline).byteLength <= maxInline) {
        await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: inline }))
        return
      }
      if (!payloads) {
        throw new Error(
          `The call is over ${maxInline} bytes once queued, and the SQS queue has no payload store for larger ` +
            'calls. Configure one, or lower the async request body limit.',
        )
      }
      await payloads.put(record.id, record.body)
      await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: toBody({ ...record, body: '' }),
          MessageAttributes: { [claimCheckAttribute]: { DataType: 'String', StringValue: '1' } },
        }),
      )
    },

    async receive(queue, { max, leaseMs, waitMs, signal }: ReceiveOptions) {
      open()
      if (max < 1) return []
      const url = await urlOf(queue)
      const abortSignal = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal
      const deadline = Date.now() + waitMs
      const out: QueueMessage[] = []
      // Everything SQS handed out, so a failure half way can give it all back.
      const taken: Message[] = []
      while (out.length < max && !abortSignal.aborted) {
        // Only the first message is waited for; after that, take what is there. Long polls count whole
        // seconds, so they cover the whole seconds of the wait and a short sleep covers the rest.
        const wait =
          out.length > 0 ? 0 : Math.min(20, Math.max(0, Math.floor((deadline - Date.now()) / 1_000)))
        let received: Message[]
        try {
          const result = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: Math.min(10, max - out.length),
              WaitTimeSeconds: wait,
              VisibilityTimeout: toSeconds(leaseMs),
              MessageSystemAttributeNames: ['ApproximateReceiveCount'],
              MessageAttributeNames: [claimCheckAttribute],
            }),
            { abortSignal },
          )
          received = result.Messages ?? []
          taken.push(...received)
        } catch (err) {
          // An aborted long poll ends the receive with what it has; anything SQS handed out meanwhile
          // comes back after the lease.
          if (abortSignal.aborted) break
          throw err
        }
        try {
          out.push(...(await toMessages(url, received)))
        } catch (err) {
          await release(url, taken)
          throw err
        }
        if (received.length > 0) continue
        const left = deadline - Date.now()
        if (out.length > 0 || left <= 0) break
        // Less than a second left: sleep it out, then one last short poll.
        if (left < 1_000) await sleep(left, abortSignal)
      }
      return out
    },

    async ack(message) {
      const { handle, claim } = readReceipt(message)
      const url = await urlOf(message.record.queue)
      await deleteMessage(url, handle)
      if (claim && payloads) await payloads.delete(message.record.id)
    },

    async retry(message, delayMs) {
      await changeVisibility(message, delayMs)
    },

    async extend(message, leaseMs) {
      await changeVisibility(message, leaseMs)
    },

    async depth(queue) {
      open()
      const url = await urlOf(queue)
      const result = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      )
      const a = result.Attributes ?? {}
      return (
        Number(a.ApproximateNumberOfMessages ?? 0) +
        Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
      )
    },

    async close() {
      // The SQS client belongs to the caller, who may share it; only waiting receives are ended here.
      closing.abort()
    },
  }
}
