/**
 * @module
 * The triggers as every runtime runs them for a gateway: the gateway's store and queue, the cron source
 * (runtime-neutral, always there), and the message sources the runtime opened connections for. Null
 * where there is no async queue to deliver into, or EDGEFAAS_TRIGGERS=false.
 */
import type { GatewayDeps } from '../deps.ts'
import { createCronSource } from './cron/source.ts'
import { createTriggers, type Triggers } from './triggers.ts'
import type { TriggerContext, TriggerMetrics, TriggerSource } from './types.ts'

export interface GatewayTriggerOptions {
  instanceId: string
  sources?: (context: TriggerContext) => TriggerSource[]
  metrics?: TriggerMetrics
  cronCatchUpMs?: number
}

export function createGatewayTriggers(
  deps: Pick<GatewayDeps, 'store' | 'queue' | 'logger' | 'config'>,
  options: GatewayTriggerOptions,
): Triggers | null {
  const { store, queue, logger, config } = deps
  if (!queue || !config.triggers.enabled) return null
  return createTriggers({
    store,
    queue,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    syncIntervalMs: Math.max(500, config.routeCacheTtlMs),
    sources: (context) => [
      createCronSource({
        store,
        context,
        instanceId: options.instanceId,
        ...(options.cronCatchUpMs ? { catchUpMs: options.cronCatchUpMs } : {}),
      }),
      ...(options.sources?.(context) ?? []),
    ],
  })
}
