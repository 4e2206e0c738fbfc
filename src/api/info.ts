/**
 * @module
 * `GET /system/info`, `GET|HEAD /healthz` (liveness; readiness is `/readyz`, api/readiness.ts) and `GET /` → `/ui/`. Info always carries a non-null
 * provider with non-empty release and sha: `faas-cli version` dereferences them and the certifier
 * aborts without them.
 */
import type { Hono } from 'hono'
import type { GatewayInfo } from '../contract/types.ts'
import type { GatewayDeps } from '../deps.ts'
import { textResponse } from '../errors.ts'
import { methodNotAllowed } from './responses.ts'

export function registerInfoRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/info', (c) => {
    const kinds = [...new Set(deps.providers.entries().map(([, p]) => p.kind))].sort()
    const info: GatewayInfo = {
      provider: {
        provider: 'edgefaas',
        version: { sha: deps.version.sha, release: deps.version.release },
        orchestration: kinds.length > 0 ? kinds.join(',') : 'none',
      },
      version: {
        commit_message: deps.version.commit_message ?? 'See the edgefaas changelog',
        sha: deps.version.sha,
        release: deps.version.release,
      },
      arch: deps.arch,
    }
    return c.json(info)
  })
  app.all('/system/info', methodNotAllowed)

  // Liveness: the process serves requests. It does not ping the store: a database restart must not
  // make every gateway look dead (they keep serving known functions); `/readyz` reports reachability.
  // HEAD is answered by Hono from the GET handler.
  app.get('/healthz', () => textResponse(200, 'OK'))
  app.all('/healthz', methodNotAllowed)

  app.get('/', (c) => c.redirect('/ui/', 307))
}
