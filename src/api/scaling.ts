/**
 * @module
 * `GET /system/functions/{name}/scaling`: the function's scaling rule as the autoscaler reads it from
 * its labels, its desired replicas, and its last scaling decisions (newest first; `?limit=`, at most
 * EDGEFAAS_SCALE_HISTORY), each with the inputs it was made on. edgefaas's own route, behind the
 * default-deny /system auth.
 */
import type { Hono } from 'hono'
import { scalingRule } from '../autoscale/rule.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { nameAndNamespace, notFound } from './functions.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

export function registerScalingRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/functions/:name/scaling', async (c) => {
    const path = nameAndNamespace(c.req.param('name'), c.req.query('namespace'))
    const namespace = await resolveNamespace(deps, path.namespace)
    const size = deps.config.autoscale.historySize
    const limitText = c.req.query('limit')
    if (limitText !== undefined && !/^\d{1,6}$/.test(limitText)) {
      throw new ApiError('BAD_REQUEST', `limit must be a whole number from 1 to ${size}`)
    }
    const limit = Math.min(Math.max(Number(limitText ?? size), 1), size)
    const fn = await deps.store.getFunction(namespace, path.name)
    if (!fn) throw notFound(path.name, namespace)
    const decisions = await deps.store.listScalingDecisions(namespace, fn.name, limit)
    const { autoscale } = deps.config
    return c.json({
      name: fn.name,
      namespace,
      replicas: fn.replicas,
      rule: scalingRule(fn.spec.labels, { ...autoscale, maxReplicas: deps.config.maxReplicas }),
      source: autoscale.enabled ? (autoscale.prometheus ? 'prometheus' : 'builtin') : 'off',
      decisions: decisions.map((d) => ({
        at: d.at.toISOString(),
        from: d.fromReplicas,
        to: d.toReplicas,
        reason: d.reason,
        inputs: d.inputs,
      })),
    })
  })

  app.all('/system/functions/:name/scaling', methodNotAllowed)
}
