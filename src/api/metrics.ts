/**
 * @module
 * `/function/{name}[.{ns}][/{rest}]` for any method (the proxy is in src/invoke), and `GET /metrics`.
 * Metrics sit behind the default-deny auth on this port; Prometheus scrapes with basic auth.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { invokerFor } from '../invoke/invoker.ts'
import { methodNotAllowed } from './responses.ts'

export function registerInvokeRoutes(app: Hono, deps: GatewayDeps): void {
  const proxy = invokerFor(deps)
  app.all('/function/:name{.+}', (c) => proxy(c.req.raw, deps.clientAddress(c.req.raw, c.env)))

  app.get('/metrics', async (c) => {
    if (!deps.metrics) throw new ApiError('NOT_IMPLEMENTED', 'metrics are not collected on this runtime')
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
  app.all('/metrics', methodNotAllowed)
}
