/**
 * @module
 * `GET /metrics`. Metrics sit behind the default-deny auth on this port; Prometheus scrapes with basic
 * auth. (Invocations have one door, src/gateway-fetch.ts, in front of the app.)
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { methodNotAllowed } from './responses.ts'

export function registerMetricsRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/metrics', async (c) => {
    if (!deps.metrics) throw new ApiError('NOT_IMPLEMENTED', 'metrics are not collected on this runtime')
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
  app.all('/metrics', methodNotAllowed)
}
