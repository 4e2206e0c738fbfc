/**
 * @module
 * What the cron trigger runs: every loop of loops.ts that is due, within the tick budget
 * (EDGEFAAS_CF_TICK_BUDGET_MS), each under its D1 lease so overlapping cron invocations never run one
 * loop twice.
 */
import { type LoopReport, runLoops } from '../../loops/runner.ts'
import type { WorkersGateway } from './index.ts'
import { WORKER_LOOPS } from './loops.ts'

/**
 * Identifies this isolate in loop leases. Made on first use: workerd forbids random values in global
 * scope (the Worker would not start), which only a real `wrangler dev`/deploy shows, not the vitest pool.
 */
let holder: string | undefined
const holderOf = () => {
  holder ??= `isolate-${crypto.randomUUID()}`
  return holder
}

export async function runCronTick(gateway: WorkersGateway, _scheduledAt: Date): Promise<LoopReport[]> {
  const loops = WORKER_LOOPS.flatMap((make) => make(gateway) ?? [])
  const reports = await runLoops({
    store: gateway.deps.store,
    loops,
    holder: holderOf(),
    budgetMs: gateway.workers.tickBudgetMs,
    logger: gateway.deps.logger,
  })
  gateway.deps.logger.debug('cron tick', { loops: reports })
  // The service counts (and anything the loops recorded) reach /metrics now, not at this isolate's next call.
  await gateway.metrics
    ?.flush()
    .catch((error: unknown) => gateway.deps.logger.warn('metrics flush failed', { error }))
  return reports
}
