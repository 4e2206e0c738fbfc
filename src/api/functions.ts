/**
 * @module
 * `/system/functions` and `/system/function/{name}`: list, deploy, update, remove, read one.
 * Writes store desired state with a new generation, reconcile inline within a deadline, and answer 202
 * like faas-netes; where each backend stands is in `/system/deployments`.
 */
import type { Hono } from 'hono'
import { splitFunctionName } from '../contract/names.ts'
import { deleteFunctionSchema, functionDeploymentSchema } from '../contract/schemas.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { functionLabel } from '../metrics/types.ts'
import { availableReplicas } from '../reconcile/observe.ts'
import type { DeploymentRecord, FunctionRecord } from '../store/types.ts'
import { applyChange } from './apply-change.ts'
import { readJson } from './body.ts'
import { claimFunctionDomains, releaseFunctionDomains } from './function-domains.ts'
import { acceptDeployment, backendRefusal, initialReplicas } from './function-spec.ts'
import { toFunctionStatus } from './function-status.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

const DEPLOYMENT = 'a FunctionDeployment such as {"service":"env","image":"ghcr.io/openfaas/alpine:latest"}'

export function registerFunctionRoutes(app: Hono, deps: GatewayDeps): void {
  const limit = deps.config.maxApiBodyBytes

  app.get('/system/functions', async (c) => {
    const namespace = await resolveNamespace(deps, c.req.query('namespace'))
    const [functions, rows, counts] = await Promise.all([
      deps.store.listFunctions(namespace),
      deps.store.listDeployments({ namespace }),
      deps.metrics?.invocationCounts() ?? new Map<string, number>(),
    ])
    const statuses = await Promise.all(
      functions.map((fn) => statusOf(deps, fn, rows, counts.get(functionLabel(fn.name, fn.namespace)))),
    )
    return c.json(statuses)
  })

  app.post('/system/functions', async (c) => {
    const body = await readJson(c, functionDeploymentSchema, limit, DEPLOYMENT)
    const namespace = await resolveNamespace(deps, body.namespace, c.req.query('namespace'))
    const accepted = await acceptDeployment(deps, body, namespace)
    const refused = backendRefusal(deps, accepted)
    if (refused) {
      // Only when refusing: a name already taken is the first thing to fix, as OpenFaaS answers it.
      if (await deps.store.getFunction(namespace, accepted.name)) throw conflict(accepted.name, namespace)
      throw refused
    }
    const domains = await claimFunctionDomains(deps, namespace, accepted.name, accepted.spec.annotations)
    const created = await deps.store
      .createFunction({
        namespace,
        name: accepted.name,
        spec: accepted.spec,
        placement: accepted.placement,
        replicas: initialReplicas(accepted.bounds),
      })
      .catch(async (error: unknown) => {
        await domains.rollback()
        throw error
      })
    if (!created) {
      await domains.rollback()
      throw conflict(accepted.name, namespace)
    }
    await domains.commit()
    await applyChange(deps, namespace, accepted.name)
    return c.body(null, 202)
  })

  app.put('/system/functions', async (c) => {
    const body = await readJson(c, functionDeploymentSchema, limit, DEPLOYMENT)
    const namespace = await resolveNamespace(deps, body.namespace, c.req.query('namespace'))
    const accepted = await acceptDeployment(deps, body, namespace)
    const current = await deps.store.getFunction(namespace, accepted.name)
    if (!current) throw notFound(accepted.name, namespace)
    const refused = backendRefusal(deps, accepted)
    if (refused) throw refused
    const domains = await claimFunctionDomains(deps, namespace, accepted.name, accepted.spec.annotations)
    // Keep the replica count an autoscaler or a user chose, within the (possibly new) bounds.
    const { min, max } = accepted.bounds
    let replicas = current.replicas
    if (min !== undefined && replicas < min) replicas = min
    if (max !== undefined && replicas > max) replicas = max
    const updated = await deps.store
      .updateFunction({
        namespace,
        name: accepted.name,
        spec: accepted.spec,
        placement: accepted.placement,
        replicas,
      })
      .catch(async (error: unknown) => {
        await domains.rollback()
        throw error
      })
    if (!updated) {
      await domains.rollback()
      throw notFound(accepted.name, namespace)
    }
    await domains.commit()
    await applyChange(deps, namespace, accepted.name)
    return c.body(null, 202)
  })

  app.delete('/system/functions', async (c) => {
    const body = await readJson(
      c,
      deleteFunctionSchema,
      limit,
      'a DeleteFunctionRequest such as {"functionName":"env"}',
    )
    const namespace = await resolveNamespace(deps, body.namespace, c.req.query('namespace'))
    if (!(await deps.store.markFunctionDeleted(namespace, body.functionName))) {
      throw notFound(body.functionName, namespace)
    }
    await releaseFunctionDomains(deps, namespace, body.functionName)
    await applyChange(deps, namespace, body.functionName)
    return c.body(null, 202)
  })

  app.all('/system/functions', methodNotAllowed)

  app.get('/system/function/:name', async (c) => {
    const { name, namespace: raw } = nameAndNamespace(c.req.param('name'), c.req.query('namespace'))
    const namespace = await resolveNamespace(deps, raw)
    const fn = await deps.store.getFunction(namespace, name)
    if (!fn) throw notFound(name, namespace)
    const rows = await deps.store.listDeployments({ namespace, functionName: name })
    return c.json(await statusOf(deps, fn, rows))
  })

  app.all('/system/function/:name', methodNotAllowed)
}

/** `x.ns` in the path is honoured when no `?namespace=` is given. */
export function nameAndNamespace(pathName: string, queryNamespace: string | undefined) {
  if (queryNamespace) return { name: pathName, namespace: queryNamespace }
  const split = splitFunctionName(pathName, '')
  return { name: split.name, namespace: split.namespace || undefined }
}

async function statusOf(deps: GatewayDeps, fn: FunctionRecord, rows: DeploymentRecord[], invocations = 0) {
  const mine = rows.filter((r) => r.functionName === fn.name && r.namespace === fn.namespace)
  return toFunctionStatus(fn, await availableReplicas(fn, mine, deps.providers), invocations)
}

function conflict(name: string, namespace: string): ApiError {
  return new ApiError(
    'CONFLICT',
    `function "${name}" already exists in namespace "${namespace}"; update it with PUT /system/functions`,
  )
}

export function notFound(name: string, namespace: string): ApiError {
  const shown = /^[a-z0-9-]{1,63}$/.test(name) ? `"${name}"` : '(invalid name)'
  return new ApiError('NOT_FOUND', `function ${shown} not found in namespace "${namespace}"`)
}
