/**
 * @module
 * What `/system/triggers` shows about each subscription, as this gateway saw it: deliveries, duplicates
 * (another gateway or an earlier delivery took the message), failures, the last delivery and the last
 * error. Kept in memory: each gateway reports its own view.
 */
import type { DeliveryOutcome, Subscription } from './types.ts'

export interface SubscriptionStatus {
  source: string
  topic: string
  namespace: string
  function: string
  deliveries: number
  duplicates: number
  errors: number
  lastDeliveryAt: string | null
  lastError: string | null
  lastErrorAt: string | null
}

const MAX_ERROR_LENGTH = 300

export const subscriptionKey = (s: Pick<Subscription, 'topic' | 'namespace' | 'function'>): string =>
  `${s.topic}\u0000${s.namespace}\u0000${s.function}`

export function createStatusBook() {
  const entries = new Map<string, SubscriptionStatus>()

  function entry(s: Subscription): SubscriptionStatus {
    const key = subscriptionKey(s)
    let found = entries.get(key)
    if (!found) {
      found = {
        source: s.source,
        topic: s.topic,
        namespace: s.namespace,
        function: s.function,
        deliveries: 0,
        duplicates: 0,
        errors: 0,
        lastDeliveryAt: null,
        lastError: null,
        lastErrorAt: null,
      }
      entries.set(key, found)
    }
    return found
  }

  return {
    /** Keeps entries of the current subscriptions only. */
    retain(subscriptions: Subscription[]): void {
      const keep = new Set(subscriptions.map(subscriptionKey))
      for (const key of entries.keys()) if (!keep.has(key)) entries.delete(key)
      for (const s of subscriptions) entry(s)
    },
    delivered(s: Subscription, outcome: DeliveryOutcome, at: Date): void {
      const e = entry(s)
      if (outcome === 'enqueued') {
        e.deliveries++
        e.lastDeliveryAt = at.toISOString()
      } else e.duplicates++
    },
    failed(s: Subscription, error: unknown, at: Date): void {
      const e = entries.get(subscriptionKey(s))
      if (!e) return
      e.errors++
      e.lastError = describeError(error)
      e.lastErrorAt = at.toISOString()
    },
    get(s: Subscription): SubscriptionStatus {
      return entry(s)
    },
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return message.slice(0, MAX_ERROR_LENGTH)
}
