/**
 * @module
 * `GET|HEAD /readyz`: 200 `ready`, or 503 `not ready: <what>` while the store or the queue cannot be
 * reached or the gateway drains (src/health/readiness.ts). Public, like `/healthz`: load balancers carry
 * no credentials; the body names only which part fails.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { textResponse } from '../errors.ts'
import { describeReadiness } from '../health/readiness.ts'
import { methodNotAllowed } from './responses.ts'

export function registerReadinessRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/readyz', async () => {
    const report = await deps.readiness.check()
    // Never cached by a proxy in between: the next probe must see the state as it is then.
    const headers = { 'Cache-Control': 'no-store' }
    if (!report.ready && !report.draining) deps.logger.warn('not ready', { ...report })
    return textResponse(report.ready ? 200 : 503, describeReadiness(report), headers)
  })
  app.all('/readyz', methodNotAllowed)
}
