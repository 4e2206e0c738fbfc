/**
 * @module
 * Where GCRA state lives. `memory`: a map in this process (one node, or one Workers isolate); `store`:
 * the store's rate_limits table, one atomic upsert per call, so every gateway on the same PostgreSQL
 * counts against one limit. The gateway picks `store` on PostgreSQL and `memory` otherwise
 * (EDGEFAAS_RATE_LIMIT_STATE).
 */
import type { RateLimitStore } from '../../store/types.ts'
import { capacityMicros, type GcraResult, gcraStep } from './gcra.ts'
import type { RateLimit } from './policy.ts'

export interface RateLimiter {
  take(key: string, limit: RateLimit, nowMicros: number): Promise<GcraResult>
  /** Forgets state that limits nothing any more. */
  prune(nowMicros: number): Promise<void>
}

/** At most this many keys in memory; when full, keys whose time has passed go first, then the oldest. */
const MAX_KEYS = 100_000

export function createMemoryLimiter(maxKeys = MAX_KEYS): RateLimiter {
  const tats = new Map<string, number>()
  return {
    async take(key, limit, nowMicros) {
      const result = gcraStep(tats.get(key), nowMicros, limit)
      if (result.allowed) {
        tats.delete(key)
        tats.set(key, result.tatMicros)
        if (tats.size > maxKeys) evict(tats, nowMicros, maxKeys)
      }
      return result
    },
    async prune(nowMicros) {
      for (const [key, tat] of tats) if (tat < nowMicros) tats.delete(key)
    },
  }
}

function evict(tats: Map<string, number>, nowMicros: number, maxKeys: number): void {
  for (const [key, tat] of tats) if (tat < nowMicros) tats.delete(key)
  // Still full of live keys (many callers at once): drop the least recently allowed. A dropped key gets
  // its burst again, so this errs towards letting calls through, never towards refusing them.
  while (tats.size > maxKeys) tats.delete(tats.keys().next().value as string)
}

export function createStoreLimiter(store: RateLimitStore): RateLimiter {
  return {
    take: (key, limit, nowMicros) =>
      store.takeRateLimit({
        key,
        nowMicros,
        intervalMicros: Math.max(1, Math.round(limit.intervalMicros)),
        capacityMicros: Math.round(capacityMicros(limit)),
      }),
    async prune(nowMicros) {
      await store.pruneRateLimits(nowMicros)
    },
  }
}
