/**
 * @module
 * The bridge from Cloudflare Queues' push consumer to the pull interface every queue driver offers.
 *
 * Cloudflare hands the Worker's `queue()` handler a batch; the handler puts its messages here and waits
 * until each is settled (acked or retried through Cloudflare) or the hold ends. Meanwhile `receive` takes
 * them from here under a lease like any driver's: a lease that runs out without ack makes the message
 * available again in this isolate with one more delivery (a worker that died mid-call), and `extend`
 * keeps it. Only `ack` and `retry` go back to Cloudflare (`message.ack()`, `message.retry({ delaySeconds })`),
 * so Cloudflare's retry delay, `max_retries` and dead-letter queue do what they say.
 *
 * The settle call is made by `hold`, in the `queue()` invocation the message came with: workerd does not
 * let one request's code act on another's objects, and a call's ack may come from another context (a
 * `fetch`, a cron tick, a test). So `ack`/`retry` only record the decision, and nothing here resolves a
 * promise or clears a timer across contexts (workerd's timer ids are per context, and a promise resolved
 * from another context runs its continuation there): `hold` and waiting receivers look every few tens of
 * milliseconds instead, which costs microseconds of CPU on in-memory state.
 *
 * One inbox per isolate (`isolateInbox`): a `queue()` invocation and the worker that drains it run in
 * the same isolate, and so do vitest's workerd tests and the Worker's handlers.
 */
import type { CallRecord } from '../../calls/types.ts'
import type { BatchMessage } from './types.ts'

/** A message of a batch the `queue()` handler holds until it is settled. */
interface Held {
  source: BatchMessage
  record: CallRecord
  claim: boolean
  /** Lease expiries in this isolate, added to Cloudflare's `attempts` for the delivery count. */
  localRedeliveries: number
  /** The current lease's token; null while available. */
  token: string | null
  leaseUntil: number
  settled: boolean
  /** What `hold` tells Cloudflare once the message is settled. */
  decision: Decision
}

/** A settled message's fate: acked, or retried after `delaySeconds`. */
export type Decision = { kind: 'ack' } | { kind: 'retry'; delaySeconds: number }

/** A message as `receive` hands it out. */
export interface Lease {
  record: CallRecord
  claim: boolean
  token: string
  deliveryCount: number
}

/** How often `hold` looks for settled messages and waiting receivers for new ones. */
const SETTLE_POLL_MS = 20

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface HoldOptions {
  /** How long the batch is held at most; unsettled messages are then retried through Cloudflare. */
  holdMs: number
}

export class CallInbox {
  private readonly queues = new Map<string, Held[]>()
  private readonly leased = new Map<string, Held>()

  /**
   * Offers `messages` to `receive` and returns once every one is settled, telling Cloudflare each fate
   * as it is decided. When `holdMs` passes first, the rest are retried through Cloudflare at once (a late
   * ack of them is then stale and does nothing), so a batch never outlives the `queue()` invocation's
   * wall-clock limit.
   */
  async hold(
    messages: ReadonlyArray<{ source: BatchMessage; record: CallRecord; claim: boolean }>,
    options: HoldOptions,
  ): Promise<{ settled: number; released: number }> {
    const waiting = new Set<Held>()
    for (const m of messages) {
      const h: Held = {
        ...m,
        localRedeliveries: 0,
        token: null,
        leaseUntil: 0,
        settled: false,
        decision: { kind: 'retry', delaySeconds: 0 },
      }
      waiting.add(h)
      const list = this.queues.get(m.record.queue) ?? []
      list.push(h)
      this.queues.set(m.record.queue, list)
    }
    const total = waiting.size
    const deadline = Date.now() + options.holdMs
    let released = 0
    for (;;) {
      for (const h of waiting) {
        if (!h.settled) continue
        tell(h)
        waiting.delete(h)
      }
      if (waiting.size === 0) break
      if (Date.now() >= deadline) {
        for (const h of waiting) {
          this.settle(h, { kind: 'retry', delaySeconds: 0 })
          tell(h)
          released++
        }
        break
      }
      await sleep(Math.min(SETTLE_POLL_MS, deadline - Date.now()))
    }
    return { settled: total - released, released }
  }

  /** Leases up to `max` available messages of `queue` for `leaseMs`, oldest first. */
  take(queue: string, max: number, leaseMs: number, now = Date.now()): Lease[] {
    const out: Lease[] = []
    for (const h of this.queues.get(queue) ?? []) {
      if (out.length >= max) break
      if (h.token !== null) {
        if (h.leaseUntil > now) continue
        // The holder neither acked, retried nor extended in time: it is presumed gone.
        this.leased.delete(h.token)
        h.localRedeliveries++
      }
      h.token = crypto.randomUUID()
      h.leaseUntil = now + leaseMs
      this.leased.set(h.token, h)
      out.push({
        record: h.record,
        claim: h.claim,
        token: h.token,
        deliveryCount: h.source.attempts + h.localRedeliveries,
      })
    }
    return out
  }

  /** Extends the lease `token` holds; false when it holds none. */
  extend(token: string, leaseMs: number, now = Date.now()): boolean {
    const h = this.leased.get(token)
    if (!h || h.token !== token || h.settled) return false
    h.leaseUntil = now + leaseMs
    return true
  }

  /** Settles the message `token` leases with `decision`; false (nothing changes) when the token is stale. */
  settleLeased(token: string, decision: Decision): boolean {
    const h = this.leased.get(token)
    if (!h || h.token !== token || h.settled) return false
    this.settle(h, decision)
    return true
  }

  /** Waits a little for offers, settlements or lease ends (polling: see the module comment). */
  async changed(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms)
  }

  /** Messages held and not settled, by queue (for tests and the metrics gauge). */
  size(queue: string): number {
    return this.queues.get(queue)?.length ?? 0
  }

  private settle(h: Held, decision: Decision): void {
    h.settled = true
    h.decision = decision
    if (h.token !== null) this.leased.delete(h.token)
    const list = this.queues.get(h.record.queue)
    if (list) {
      const at = list.indexOf(h)
      if (at >= 0) list.splice(at, 1)
      if (list.length === 0) this.queues.delete(h.record.queue)
    }
  }
}

function tell(h: Held): void {
  if (h.decision.kind === 'ack') h.source.ack()
  else h.source.retry({ delaySeconds: h.decision.delaySeconds })
}

/** The inbox of this isolate: the `queue()` handler fills it, the driver's `receive` takes from it. */
export const isolateInbox = new CallInbox()
