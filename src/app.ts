/**
 * @module
 * createApp(deps) → the Hono app of the API routes. Imports no runtime. Runtimes serve the gateway's one
 * door (src/gateway-fetch.ts, built by src/gateway.ts), which sends invocations to the proxy and the rest here.
 *
 * Order matters: the path is normalised before anything routes on it, then the audit log wraps the rest
 * (so it records refused writes too), then state-changing requests from other sites are refused, then the
 * one auth middleware runs, then the routes. Errors become
 * plain-text responses via `toApiError`.
 */
import { Hono } from 'hono'
import { auditWrites } from './access/audit.ts'
import { registerAlertRoutes } from './api/alert.ts'
import { registerAsyncRoutes } from './api/async.ts'
import { registerAuditRoutes } from './api/audit.ts'
import { registerBackendRoutes } from './api/backends.ts'
import { registerCallRoutes } from './api/calls.ts'
import { registerDeploymentRoutes } from './api/deployments.ts'
import { registerDomainRoutes } from './api/domains.ts'
import { registerFunctionRoutes } from './api/functions.ts'
import { registerInfoRoutes } from './api/info.ts'
import { registerLogRoutes } from './api/logs.ts'
import { registerMetricsRoutes } from './api/metrics.ts'
import { registerNamespaceRoutes } from './api/namespaces.ts'
import { registerReadinessRoutes } from './api/readiness.ts'
import { pageNotFound } from './api/responses.ts'
import { registerScaleRoutes } from './api/scale.ts'
import { registerScalingRoutes } from './api/scaling.ts'
import { registerSecretRoutes } from './api/secrets.ts'
import { registerTokenRoutes } from './api/tokens.ts'
import { registerTriggerRoutes } from './api/triggers.ts'
import { registerUiRoutes } from './api/ui.ts'
import { refuseCrossSiteWrites } from './auth/cross-site.ts'
import { defaultDenyAuth } from './auth/middleware.ts'
import type { GatewayDeps } from './deps.ts'
import { textResponse, toApiError } from './errors.ts'
import { checkPath } from './routing/clean-path.ts'
import { splitUrl } from './routing/split-url.ts'

export function createApp(deps: GatewayDeps): Hono {
  const app = new Hono()

  app.use('*', async (c, next) => {
    const { pathname, search } = splitUrl(c.req.url)
    const verdict = checkPath(pathname)
    if (verdict.kind === 'reject') return textResponse(400, verdict.reason)
    if (verdict.kind === 'redirect') return c.redirect(`${verdict.location}${search}`, 301)
    return next()
  })
  app.use(
    '*',
    auditWrites({
      store: deps.store,
      logger: deps.logger,
      clientAddress: deps.clientAddress,
      authOff: deps.credentials === null,
      ...(deps.access.publishAudit ? { publish: deps.access.publishAudit } : {}),
    }),
  )
  app.use('*', refuseCrossSiteWrites())
  app.use('*', defaultDenyAuth({ ...deps, tokens: deps.access.tokens }))

  registerInfoRoutes(app, deps)
  registerReadinessRoutes(app, deps)
  registerFunctionRoutes(app, deps)
  registerScaleRoutes(app, deps)
  registerScalingRoutes(app, deps)
  registerAlertRoutes(app, deps)
  registerDeploymentRoutes(app, deps)
  registerBackendRoutes(app, deps)
  registerSecretRoutes(app, deps)
  registerNamespaceRoutes(app, deps)
  registerLogRoutes(app, deps)
  registerMetricsRoutes(app, deps)
  registerAsyncRoutes(app, deps)
  registerCallRoutes(app, deps)
  registerTokenRoutes(app, deps)
  registerAuditRoutes(app, deps)
  registerDomainRoutes(app, deps)
  registerTriggerRoutes(app, deps)
  registerUiRoutes(app, deps)

  app.notFound(pageNotFound)
  app.onError((error, c) => {
    const apiError = toApiError(error)
    if (!apiError.isUserError()) {
      deps.logger.error('request failed', {
        method: c.req.method,
        path: c.req.path,
        error: apiError.cause ?? apiError,
      })
    } else {
      // The client's mistake (or its dropped connection): worth seeing while debugging, not an alert.
      deps.logger.debug('request refused', {
        method: c.req.method,
        path: c.req.path,
        status: apiError.status,
        reason: apiError.message,
      })
    }
    return textResponse(apiError.status, apiError.message)
  })
  return app
}
