/**
 * @module
 * `GET /system/triggers`: every function subscription to a trigger topic, as this gateway sees it: the
 * source, whether it runs here, deliveries, duplicates, errors, the last delivery and the last error, and
 * the source's own details (a cron's schedule and next run, a queue's URL). Admin only, like all of
 * /system (the default-deny middleware).
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { subscriptionsOf } from '../triggers/topics.ts'
import { methodNotAllowed } from './responses.ts'

export function registerTriggerRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/triggers', async (c) => {
    if (deps.triggers) return c.json(deps.triggers.list())
    // No triggers run here (no queue, or EDGEFAAS_TRIGGERS=false): show what is subscribed, inactive.
    const functions = await deps.store.listFunctions()
    return c.json(
      functions.flatMap((fn) =>
        subscriptionsOf({
          namespace: fn.namespace,
          name: fn.name,
          annotations: fn.spec.annotations ?? {},
          since: fn.updatedAt.getTime(),
        }).map((s) => ({
          source: s.source,
          topic: s.topic,
          namespace: s.namespace,
          function: s.function,
          active: false,
        })),
      ),
    )
  })
  app.all('/system/triggers', methodNotAllowed)
}
