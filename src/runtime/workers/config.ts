/**
 * @module
 * The Workers-only settings, validated when the isolate builds its gateway (beside `loadConfig`, which
 * the Worker shares with every runtime). Documented in docs/configuration.md and docs/workers.md.
 */
import { z } from 'zod'
import { ConfigError } from '../../config.ts'

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

const schema = z.object({
  /** Longest a `queue()` invocation holds a batch (its wall-clock limit is 15 minutes). */
  EDGEFAAS_CF_QUEUE_HOLD_MS: int(1000, 14 * 60_000).default(10 * 60_000),
  /** The queue named as `dead_letter_queue` in wrangler.toml: its batches are recorded as dead calls. */
  EDGEFAAS_CF_DEAD_LETTER_QUEUE: z.string().min(1).default('edgefaas-calls-dlq'),
  /** Wall time one cron invocation spends on loops before it stops at the next step boundary. */
  EDGEFAAS_CF_TICK_BUDGET_MS: int(100, 14 * 60_000).default(15_000),
  /** How often an isolate reads the route version row (the cross-isolate staleness bound). */
  EDGEFAAS_ROUTE_VERSION_CHECK_MS: int(0, 60_000).default(1000),
})

export type WorkersConfig = {
  queueHoldMs: number
  deadLetterQueue: string
  tickBudgetMs: number
  routeVersionCheckMs: number
}

export function loadWorkersConfig(env: Record<string, string | undefined>): WorkersConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    queueHoldMs: e.EDGEFAAS_CF_QUEUE_HOLD_MS,
    deadLetterQueue: e.EDGEFAAS_CF_DEAD_LETTER_QUEUE,
    tickBudgetMs: e.EDGEFAAS_CF_TICK_BUDGET_MS,
    routeVersionCheckMs: e.EDGEFAAS_ROUTE_VERSION_CHECK_MS,
  }
}
