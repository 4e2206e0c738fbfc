/**
 * @module
 * `POST /system/alert`: AlertManager's webhook, so an existing OpenFaaS Prometheus + AlertManager setup
 * keeps scaling functions (contract §5.1). Each alert names a function in `labels.function_name`
 * (`name` or `name.namespace`); `firing` raises its desired replicas by CE's step, `ceil(max × factor /
 * 100)` up to max, and `resolved` sets them back to min, read from the function's
 * `com.openfaas.scale.*` labels. The write goes where manual scaling's goes (src/autoscale/set-desired.ts)
 * and is kept in the scaling history.
 *
 * Behind the default-deny /system auth, like every /system route (OpenFaaS's AlertManager sends basic
 * auth). The body is validated before anything happens: a malformed one is 400 and changes nothing.
 * Answers 200 with an empty body when every alert was applied (or needed nothing); otherwise one line
 * per failed alert, `[i] reason`, with 404 when only unknown functions failed (AlertManager does not
 * retry a 4xx, and retrying would not help) and 500 otherwise (it retries).
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import { recordDecision } from '../autoscale/autoscaler.ts'
import { type ScaleDefaults, scalingRule } from '../autoscale/rule.ts'
import { setDesiredReplicas } from '../autoscale/set-desired.ts'
import { isDns1123Label, splitFunctionName } from '../contract/names.ts'
import type { GatewayDeps } from '../deps.ts'
import { textResponse } from '../errors.ts'
import { readJson } from './body.ts'
import { methodNotAllowed } from './responses.ts'

const MAX_ALERTS = 1000

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved'], { message: 'status must be "firing" or "resolved"' }),
  labels: z
    .object({
      function_name: z.string({ message: 'labels.function_name is required' }).min(1).max(253),
    })
    .passthrough(),
})

const webhookSchema = z
  .object({
    status: z.string().max(64).optional(),
    receiver: z.string().max(1024).optional(),
    alerts: z
      .array(alertSchema.passthrough())
      .min(1, { message: 'alerts must not be empty' })
      .max(MAX_ALERTS),
  })
  .passthrough()

export function registerAlertRoutes(app: Hono, deps: GatewayDeps): void {
  app.post('/system/alert', async (c) => {
    const body = await readJson(
      c,
      webhookSchema,
      deps.config.maxApiBodyBytes,
      'an AlertManager webhook such as {"status":"firing","alerts":[{"status":"firing","labels":{"function_name":"env"}}]}',
    )
    const defaults: ScaleDefaults = { ...deps.config.autoscale, maxReplicas: deps.config.maxReplicas }
    const failures: Array<{ line: string; notFound: boolean }> = []
    for (const [i, alert] of body.alerts.entries()) {
      const split = splitFunctionName(alert.labels.function_name, deps.config.defaultNamespace)
      const namespace = split.namespace || deps.config.defaultNamespace
      if (!isDns1123Label(split.name) || !isDns1123Label(namespace)) {
        failures.push({ line: `[${i}] labels.function_name is not a function name`, notFound: true })
        continue
      }
      const fn = await deps.store.getFunction(namespace, split.name)
      if (!fn) {
        failures.push({
          line: `[${i}] function "${split.name}" not found in namespace "${namespace}"`,
          notFound: true,
        })
        continue
      }
      const rule = scalingRule(fn.spec.labels, defaults)
      // CE skips an alert whose factor is out of range (how factor=0 switches scaling off); min = max is static.
      if (rule.kind === 'disabled' || rule.kind === 'static') continue
      const factor = rule.kind === 'alert' ? rule.factor : 10
      const step = Math.ceil((rule.max / 100) * factor)
      const replicas = alert.status === 'firing' ? Math.min(fn.replicas + step, rule.max) : rule.min
      if (replicas === fn.replicas) continue
      const refused = await setDesiredReplicas(deps, fn, replicas, deps.config.reconcileInlineTimeoutMs)
      if (refused !== null) {
        failures.push({ line: `[${i}] ${refused}`, notFound: false })
        continue
      }
      await recordDecision(
        deps,
        fn,
        replicas,
        alert.status === 'firing' ? `alert firing: +${step}` : 'alert resolved: back to min',
        {
          mode: 'alertmanager',
          load: null,
          target: null,
          ready: 0,
          min: rule.min,
          max: rule.max,
          source: 'alertmanager',
        },
        Date.now(),
      )
    }
    if (failures.length === 0) return c.body(null, 200)
    const status = failures.every((f) => f.notFound) ? 404 : 500
    return textResponse(status, failures.map((f) => f.line).join('\n'))
  })

  app.all('/system/alert', methodNotAllowed)
}
