/**
 * @module
 * `POST /system/scale-function/{name}`. Replicas 0 pass through (the 2022 certifier scales to zero), the
 * namespace may come from the query (old clients) or the body (new ones), and the path name wins over
 * `serviceName`, which must match it when given.
 */
import type { Hono } from 'hono'
import { scaleServiceSchema } from '../contract/schemas.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { applyChange } from './apply-change.ts'
import { readJson } from './body.ts'
import { nameAndNamespace, notFound } from './functions.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

export function registerScaleRoutes(app: Hono, deps: GatewayDeps): void {
  app.post('/system/scale-function/:name', async (c) => {
    const body = await readJson(
      c,
      scaleServiceSchema,
      deps.config.maxApiBodyBytes,
      'a ScaleServiceRequest such as {"serviceName":"env","replicas":2}',
    )
    const path = nameAndNamespace(c.req.param('name'), c.req.query('namespace'))
    const namespace = await resolveNamespace(deps, path.namespace, body.namespace)
    if (body.serviceName && body.serviceName !== path.name) {
      throw new ApiError('BAD_REQUEST', 'serviceName in the body must match the function name in the path')
    }
    if (body.replicas > deps.config.maxReplicas) {
      throw new ApiError(
        'BAD_REQUEST',
        `replicas must be at most ${deps.config.maxReplicas} (EDGEFAAS_MAX_REPLICAS)`,
      )
    }
    const fn = await deps.store.getFunction(namespace, path.name)
    if (!fn) throw notFound(path.name, namespace)
    for (const backend of fn.placement) {
      const capabilities = deps.providers.get(backend)?.capabilities
      if (capabilities && !capabilities.scale) {
        throw new ApiError('NOT_IMPLEMENTED', `backend "${backend}" cannot scale functions`)
      }
      if (capabilities && body.replicas === 0 && !capabilities.scaleToZero) {
        throw new ApiError('NOT_IMPLEMENTED', `backend "${backend}" cannot scale functions to zero`)
      }
    }
    if (!(await deps.store.setReplicas(namespace, path.name, body.replicas)))
      throw notFound(path.name, namespace)
    await applyChange(deps, namespace, path.name)
    return c.body(null, 202)
  })

  app.all('/system/scale-function/:name', methodNotAllowed)
}
