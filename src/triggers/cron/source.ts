/**
 * @module
 * The cron source: runs each subscribed function at the instants of its `schedule`.
 *
 * Once per instant across gateways on one store, by two locks: a lease (`triggers:cron`) makes one
 * gateway the scheduler, and each instant is claimed in the store with ON CONFLICT (the call id is
 * derived from the instant, deliver.ts), so a second gateway that also evaluates the instant (a lease
 * handed over, a paused holder waking up) finds it taken and skips it.
 *
 * Missed runs are not replayed: the scheduler looks back at most `catchUpMs` (its own last pass, or that
 * far when it just started or took the lease over). Instants older than that, while no gateway was up
 * or held the lease, are skipped; a new holder picks up the instants of the handover, which the claims
 * keep from running twice. On Workers, `scheduled()` runs the pass with a look-back of one cron period.
 */
import type { Cron } from 'croner'
import type { Store } from '../../store/types.ts'
import type { Subscription, TriggerContext, TriggerSource } from '../types.ts'
import { CRON_TOPIC, SCHEDULE_ANNOTATION, scheduleOf, TIMEZONE_ANNOTATION } from './topic.ts'

export const CRON_LEASE = 'triggers:cron'
/** At most this many instants of one function in one pass (a `* * * * * *` after a long pause). */
const MAX_INSTANTS_PER_PASS = 100

export interface CronSourceOptions {
  store: Pick<Store, 'tryAcquireLease' | 'releaseLease'>
  context: TriggerContext
  instanceId: string
  /** Lease length; renewed every third of it. Default 10 s. */
  leaseMs?: number
  /** How far back a pass looks for instants it has not run. Default twice the lease. */
  catchUpMs?: number
}

interface Entry {
  subscription: Subscription
  cron: Cron
  /** The schedule the Cron was built from, to rebuild it only when it changes. */
  signature: string
}

export function createCronSource(options: CronSourceOptions): TriggerSource {
  const { store, context, instanceId } = options
  const leaseMs = options.leaseMs ?? 10_000
  const catchUpMs = options.catchUpMs ?? leaseMs * 2
  let entries = new Map<string, Entry>()
  /** Until when this gateway holds the lease (as last renewed), and when to renew it. */
  let heldUntil = 0
  let renewAt = 0
  let lastPass: number | null = null

  async function holdLease(now: number): Promise<boolean> {
    if (now < renewAt && now < heldUntil) return true
    if (now < renewAt) return false
    const held = await store.tryAcquireLease(CRON_LEASE, instanceId, leaseMs, new Date(now))
    renewAt = now + Math.floor(leaseMs / 3)
    heldUntil = held ? now + leaseMs : 0
    return held
  }

  function instantsOf(entry: Entry, from: number, now: number): number[] {
    const out: number[] = []
    let next = entry.cron.nextRun(new Date(from))
    while (next && next.getTime() <= now) {
      out.push(next.getTime())
      next = entry.cron.nextRun(next)
    }
    return out.slice(-MAX_INSTANTS_PER_PASS)
  }

  async function fire(entry: Entry, instant: number): Promise<void> {
    const at = new Date(instant).toISOString()
    await context
      .deliver(entry.subscription, {
        key: at,
        body: new Uint8Array(),
        headers: [
          ['x-topic', CRON_TOPIC],
          ['x-connector', 'edgefaas-cron'],
          ['x-scheduled-time', at],
        ],
        occurredAt: instant,
        redelivered: false,
      })
      // The failure is recorded by the context (status, metrics); the other functions still run.
      .catch(() => undefined)
  }

  return {
    kind: 'cron',

    async sync(subscriptions) {
      const next = new Map<string, Entry>()
      for (const subscription of subscriptions) {
        const key = `${subscription.namespace}/${subscription.function}`
        const signature = `${subscription.annotations[SCHEDULE_ANNOTATION]}\u0000${subscription.annotations[TIMEZONE_ANNOTATION] ?? ''}`
        const known = entries.get(key)
        if (known?.signature === signature) {
          next.set(key, { ...known, subscription })
          continue
        }
        // Checked at deploy; one stored before that check (or edited in the store) is skipped.
        const cron = scheduleOf(subscription.annotations)
        if (typeof cron === 'string') context.reportError('cron', subscription.topic, new Error(cron))
        else next.set(key, { subscription, cron, signature })
      }
      entries = next
      if (entries.size === 0 && heldUntil > 0) {
        heldUntil = 0
        renewAt = 0
        lastPass = null
        await store.releaseLease(CRON_LEASE, instanceId)
      }
    },

    async runDue(now) {
      if (entries.size === 0) return Number.POSITIVE_INFINITY
      if (!(await holdLease(now))) {
        lastPass = null
        return Math.max(1, renewAt - now)
      }
      const from = Math.max(lastPass ?? Number.NEGATIVE_INFINITY, now - catchUpMs)
      lastPass = now
      const due: Promise<void>[] = []
      for (const entry of entries.values()) {
        // Never an instant from before the function had its schedule (a deploy is not a missed run).
        const since = Math.max(from, entry.subscription.since - 1)
        for (const instant of instantsOf(entry, since, now)) due.push(fire(entry, instant))
      }
      await Promise.all(due)
      let next = renewAt
      for (const entry of entries.values()) {
        const run = entry.cron.nextRun(new Date(now))
        if (run) next = Math.min(next, run.getTime())
      }
      // A few ms past the instant, so the timer never wakes just before it.
      return Math.max(1, next - Date.now() + 5)
    },

    describe(subscription) {
      const entry = entries.get(`${subscription.namespace}/${subscription.function}`)
      return {
        schedule: subscription.annotations[SCHEDULE_ANNOTATION] ?? null,
        timezone: subscription.annotations[TIMEZONE_ANNOTATION] ?? 'UTC',
        nextRun: entry?.cron.nextRun()?.toISOString() ?? null,
        scheduler: heldUntil > Date.now(),
      }
    },

    async close() {
      if (heldUntil > 0) await store.releaseLease(CRON_LEASE, instanceId).catch(() => undefined)
      heldUntil = 0
    },
  }
}
