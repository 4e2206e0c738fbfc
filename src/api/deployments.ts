/**
 * @module
 * `GET /system/deployments[?namespace=&name=]`: where each function stands on each backend (status,
 * generation applied, replicas observed, last error). Our extension; OpenFaaS clients never see these
 * fields in FunctionStatus, so they keep decoding exactly what they expect.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

export function registerDeploymentRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/deployments', async (c) => {
    const namespace = await resolveNamespace(deps, c.req.query('namespace'))
    const name = c.req.query('name') || undefined
    const [rows, functions] = await Promise.all([
      deps.store.listDeployments({ namespace, ...(name ? { functionName: name } : {}) }),
      deps.store.listFunctions(namespace),
    ])
    const byName = new Map(functions.map((f) => [f.name, f]))
    return c.json(
      rows.map((r) => ({
        function: r.functionName,
        namespace: r.namespace,
        backend: r.backend,
        status: r.status,
        // false while the function is being moved off this backend (or removed): it is left once it runs
        // on one of its new backends.
        placed: byName.get(r.functionName)?.placement.includes(r.backend) ?? false,
        generation: byName.get(r.functionName)?.generation ?? null,
        appliedGeneration: r.appliedGeneration,
        replicas: r.observedReplicas,
        availableReplicas: r.availableReplicas,
        lastError: r.lastError,
        attempts: r.attempts,
        nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
        updatedAt: r.updatedAt.toISOString(),
      })),
    )
  })
  app.all('/system/deployments', methodNotAllowed)
}
