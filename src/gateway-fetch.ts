/**
 * @module
 * The fetch handler runtimes serve. Invocations (`/function/*`, public by definition) go straight to the
 * proxy after the same path check the app applies; everything else goes through the Hono app with its
 * default-deny auth. Skipping the router and middleware chain is the cheapest saving on the hot path,
 * and the path is still checked exactly once, by the same function, before anything routes on it.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from './deps.ts'
import { textResponse, toApiError } from './errors.ts'
import { invokerFor } from './invoke/invoker.ts'
import { checkPath } from './routing/clean-path.ts'
import { splitUrl } from './routing/split-url.ts'

export type GatewayFetch = (request: Request, env?: unknown, ctx?: unknown) => Promise<Response>

export function createGatewayFetch(app: Hono, deps: GatewayDeps): GatewayFetch {
  const invoke = invokerFor(deps)
  return async (request, env, ctx) => {
    const { pathname } = splitUrl(request.url)
    if (!pathname.startsWith('/function/') || checkPath(pathname).kind !== 'ok') {
      return app.fetch(request, env, ctx as never)
    }
    try {
      return await invoke(request, deps.clientAddress(request, env))
    } catch (error) {
      // The proxy answers every backend failure itself; what reaches here is the store failing.
      const apiError = toApiError(error)
      deps.logger.error('invocation failed', { path: pathname, error: apiError.cause ?? apiError })
      return textResponse(apiError.status, apiError.message)
    }
  }
}
