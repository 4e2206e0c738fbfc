/**
 * @module
 * The fetch handler runtimes serve. Invocations (`/function/*`, public by definition) go straight to the
 * proxy after the same path check the app applies; everything else goes through the Hono app with its
 * default-deny auth. Skipping the router and middleware chain is the cheapest saving on the hot path,
 * and the path is still checked exactly once, by the same function, before anything routes on it.
 *
 * By default functions share the API's origin, so a function's HTML and scripts are same-origin with
 * `/system/*` and could use the admin's browser session. `EDGEFAAS_FUNCTIONS_PORT` (Node: a second
 * listener) or `EDGEFAAS_FUNCTIONS_HOST` (any runtime: by `Host`) give functions an origin of their own,
 * which serves only invocations and `/healthz`; the API's origin then serves no function.
 *
 * Before any of that, custom domains (src/domains/front.ts): ACME challenges, then requests whose Host is
 * a mapped domain, which become invocations of their function. Other hosts are routed as above.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from './deps.ts'
import { createDomainFront } from './domains/front.ts'
import { normaliseRequestHost } from './domains/host.ts'
import { textResponse, toApiError } from './errors.ts'
import { invokerFor } from './invoke/invoker.ts'
import { checkPath } from './routing/clean-path.ts'
import { splitUrl } from './routing/split-url.ts'

export type GatewayFetch = (request: Request, env?: unknown, ctx?: unknown) => Promise<Response>

export interface GatewayFetchOptions {
  /** `functions`: the handler of the functions-only listener (EDGEFAAS_FUNCTIONS_PORT). */
  listener?: 'api' | 'functions'
  /** Where functions are served, for the API origin's answer to `/function/*`, e.g. `port 8081`. */
  functionsAt?: string
}

export function createGatewayFetch(
  app: Hono,
  deps: GatewayDeps,
  options: GatewayFetchOptions = {},
): GatewayFetch {
  const domainFront = createDomainFront(deps, invokerFor(deps))
  const byOrigin = createOriginFetch(app, deps, options)
  return (request, env, ctx) => {
    const handled = domainFront(request, env, splitUrl(request.url))
    if (handled === null) return byOrigin(request, env, ctx)
    return handled.then((response) => response ?? byOrigin(request, env, ctx))
  }
}

function createOriginFetch(app: Hono, deps: GatewayDeps, options: GatewayFetchOptions): GatewayFetch {
  const invoke = invokerFor(deps)
  const invokeOrRoute: GatewayFetch = async (request, env, ctx) => {
    const url = splitUrl(request.url)
    const { pathname } = url
    if (!pathname.startsWith('/function/') || checkPath(pathname).kind !== 'ok') {
      return app.fetch(request, env, ctx as never)
    }
    try {
      return await invoke(request, deps.clientAddress(request, env), url)
    } catch (error) {
      // The proxy answers every backend failure itself; what reaches here is the store failing.
      const apiError = toApiError(error)
      deps.logger.error('invocation failed', { path: pathname, error: apiError.cause ?? apiError })
      return textResponse(apiError.status, apiError.message)
    }
  }
  const { functionsHost, functionsPort } = deps.config
  if (options.listener !== 'functions' && functionsHost === undefined && functionsPort === undefined) {
    return invokeOrRoute
  }

  const functionsOnly: GatewayFetch = (request, env, ctx) => {
    const { pathname } = splitUrl(request.url)
    if (servedOnFunctionsOrigin(request.method, pathname)) return invokeOrRoute(request, env, ctx)
    return Promise.resolve(
      textResponse(
        404,
        'this origin serves only functions: /function/…, POST /async-function/… and /healthz',
      ),
    )
  }
  if (options.listener === 'functions') return functionsOnly

  const where =
    options.functionsAt ??
    (functionsHost !== undefined ? `host ${functionsHost}` : `port ${functionsPort} of this host`)
  const notHere = `functions are served on their own origin (${where}), not on the API's; call /function/… there`
  const apiOnly: GatewayFetch = async (request, env, ctx) => {
    const { pathname } = splitUrl(request.url)
    // The raw path: a spelling that only normalises to /function/… is redirected by the app first.
    if (pathname === '/function' || pathname.startsWith('/function/')) return textResponse(404, notHere)
    return app.fetch(request, env, ctx as never)
  }
  if (functionsHost === undefined) return apiOnly
  return (request, env, ctx) =>
    normaliseRequestHost(request.headers.get('host')) === functionsHost
      ? functionsOnly(request, env, ctx)
      : apiOnly(request, env, ctx)
}

/**
 * Whether a listener passes `/function/*` on to the invocation proxy for a request with Host `host`,
 * exactly as {@link createGatewayFetch} decides it: a runtime's native transport (Node) asks this before
 * taking an invocation itself, and leaves every other request to the fetch handler.
 */
export function servesInvocations(
  config: { functionsHost?: string | undefined; functionsPort?: number | undefined },
  listener: 'api' | 'functions',
  host: string | null | undefined,
): boolean {
  if (listener === 'functions') return true
  const { functionsHost, functionsPort } = config
  if (functionsHost === undefined) return functionsPort === undefined
  return normaliseRequestHost(host ?? null) === functionsHost
}

/**
 * What a functions origin serves: the public invocation paths, and nothing an admin does. The raw path
 * is checked; the app then normalises it, and a path that only cleans up to one of these is redirected.
 */
function servedOnFunctionsOrigin(method: string, pathname: string): boolean {
  if (pathname.startsWith('/function/') || pathname === '/healthz' || pathname === '/readyz') return true
  return method === 'POST' && pathname.startsWith('/async-function/')
}
