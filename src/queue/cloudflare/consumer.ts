/**
 * @module
 * The Worker's `queue()` handler, runtime-neutral: what to do with a batch Cloudflare Queues delivers.
 *
 * - A batch of the calls queue goes into the isolate's inbox, and the async worker drains it (the same
 *   worker as on Node: invocation, retry policy, callbacks, our dead-letter list) until every message is
 *   settled or the hold ends.
 * - A batch of the dead-letter queue (`dead_letter_queue` in wrangler.toml) holds calls Cloudflare gave up
 *   on after `max_retries` deliveries that our worker never settled (isolates that died mid-call): each
 *   is added to our dead-letter list and marked `dead`, so listing and replay see it like any other.
 */
import type { Logger } from '../../logger.ts'
import type { Store } from '../../store/types.ts'
import { type CallInbox, isolateInbox } from './inbox.ts'
import { type BatchMessage, isWireMessage, type MessageBatchLike } from './types.ts'

export interface ConsumeOptions {
  store: Pick<
    Store,
    'getPayload' | 'deletePayload' | 'addDeadLetter' | 'getCall' | 'updateCall' | 'ledgerRemove'
  >
  /** The dead-letter queue's name; a batch from it is recorded, not run. */
  deadLetterQueue: string | null
  /** Longest a batch is held (below the `queue()` invocation's 15-minute wall-clock limit). */
  holdMs: number
  /** One pass of the async worker (`AsyncWorker.drainOnce`): runs what it takes to the end. */
  drain: () => Promise<number>
  logger: Logger
  inbox?: CallInbox
}

/** When nothing could be taken (every message leased elsewhere in the isolate), look again this soon. */
const IDLE_RECHECK_MS = 100

export async function consumeBatch(batch: MessageBatchLike, o: ConsumeOptions): Promise<void> {
  if (o.deadLetterQueue !== null && batch.queue === o.deadLetterQueue) {
    for (const message of batch.messages) await recordDead(message, o)
    return
  }
  const inbox = o.inbox ?? isolateInbox
  const calls: Array<Parameters<CallInbox['hold']>[0][number]> = []
  for (const message of batch.messages) {
    if (!isWireMessage(message.body)) {
      o.logger.error('dropped a queue message that is not an edgefaas call', { message: message.id })
      message.ack()
      continue
    }
    const { record, claim } = message.body
    if (claim) {
      const body = await o.store.getPayload(record.id)
      if (body === null) {
        // A copy of a call that was acked already (its payload went with the ack).
        message.ack()
        continue
      }
      calls.push({ source: message, record: { ...record, body }, claim: true })
    } else {
      calls.push({ source: message, record, claim: false })
    }
  }
  if (calls.length === 0) return
  let done = false
  const held = inbox.hold(calls, { holdMs: o.holdMs }).finally(() => {
    done = true
  })
  while (!done) {
    const ran = await o.drain().catch((error: unknown) => {
      o.logger.error('draining a Cloudflare Queues batch failed; retrying', { error })
      return 0
    })
    if (!done && ran === 0) await inbox.changed(IDLE_RECHECK_MS)
  }
  const { released } = await held
  if (released > 0) {
    o.logger.warn('released unsettled calls back to Cloudflare Queues at the end of the hold', { released })
  }
}

async function recordDead(message: BatchMessage, o: ConsumeOptions): Promise<void> {
  if (!isWireMessage(message.body)) {
    message.ack()
    return
  }
  const { record, claim } = message.body
  const call = await o.store.getCall(record.id)
  // A call already finished (a late duplicate) or cancelled is not dead.
  if (call === null || call.status === 'queued' || call.status === 'running') {
    const body = claim ? ((await o.store.getPayload(record.id)) ?? '') : record.body
    const lastError = `Cloudflare Queues gave up after ${message.attempts} deliveries (max_retries)`
    await o.store.addDeadLetter({
      record: { ...record, body },
      lastStatus: call?.lastStatus ?? null,
      lastError,
      attempts: message.attempts,
    })
    if (call) await o.store.updateCall(record.id, { status: 'dead', lastError }, ['queued', 'running'])
  }
  await o.store.ledgerRemove(record.id)
  if (claim) await o.store.deletePayload(record.id)
  message.ack()
}
