/**
 * @module
 * `/function/{name}[.{ns}][/{rest}]` for any method (the proxy is in src/invoke), and `GET /metrics`.
 * Metrics sit behind the default-deny auth on this port; Prometheus scrapes with basic auth.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { createProxy } from '../invoke/proxy.ts'
import { createScaleFromZero } from '../invoke/scale-from-zero.ts'
import { methodNotAllowed } from './responses.ts'

export function registerInvokeRoutes(app: Hono, deps: GatewayDeps): void {
  const proxy = createProxy({
    routes: deps.routes,
    providers: deps.providers,
    scaleFromZero: createScaleFromZero({
      store: deps.store,
      providers: deps.providers,
      reconciler: deps.reconciler,
      routes: deps.routes,
      timeoutMs: deps.config.scaleFromZeroTimeoutMs,
    }),
    metrics: deps.metrics,
    logger: deps.logger,
    defaultNamespace: deps.config.defaultNamespace,
    upstreamTimeoutMs: deps.config.upstreamTimeoutMs,
    servedBy: `edgefaas/${deps.version.release}`,
  })
  app.all('/function/:name{.+}', (c) => proxy(c.req.raw, deps.clientAddress(c.req.raw, c.env)))

  app.get('/metrics', async (c) => {
    if (!deps.metrics) throw new ApiError('NOT_IMPLEMENTED', 'metrics are not collected on this runtime')
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
  app.all('/metrics', methodNotAllowed)
}
