/**
 * Enumerates the gateway's router and proves, for every protected route: the scope table has an entry for
 * it (and no entry for a route that does not exist), a request without credentials is refused with 401,
 * a token with every scope but the one the route needs is refused with 403, and a token limited to a
 * namespace the request does not name is refused with 403. A route added without a line in
 * src/access/route-scopes.ts fails here; at run time it would need admin (default-deny).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROUTE_RULES } from '../../src/access/route-scopes.ts'
import { SCOPES, type Scope } from '../../src/access/scopes.ts'
import { isPublicPath } from '../../src/auth/middleware.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { basic, createToken } from './helpers.ts'

let g: TestGateway
let routes: Array<{ method: string; path: string }>

/** A concrete request for a route pattern: parameters filled, ALL tried as PATCH (no route has it). */
const concrete = (route: { method: string; path: string }) => ({
  method: route.method === 'ALL' ? 'PATCH' : route.method,
  path: route.path.replace(/:[a-z]+(\{[^}]*\})?/gi, 'x'),
})

beforeAll(async () => {
  g = await startTestGateway()
  const seen = new Set<string>()
  routes = g.app.routes
    .filter((r) => r.path !== '*' && r.path !== '/*')
    .filter((r) => {
      const { method, path } = concrete(r)
      return !isPublicPath(path, method)
    })
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r) => {
      const key = `${r.method} ${r.path}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}, 60_000)
afterAll(async () => g?.close())

const send = (route: { method: string; path: string }, authorization?: string) => {
  const { method, path } = concrete(route)
  return g.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
  })
}

/** Every scope that does not give `needed` (deploy gives read; admin gives everything). */
const scopesLacking = (needed: Scope): Scope[] =>
  SCOPES.filter((s) => s !== needed && s !== 'admin' && !(needed === 'read' && s === 'deploy'))

describe('every protected route', () => {
  it('finds the routes (the router is enumerated, not a copy of it)', () => {
    expect(routes.length).toBeGreaterThan(40)
    expect(routes.some((r) => r.path === '/system/functions' && r.method === 'POST')).toBe(true)
  })

  it('has an entry in the scope table, and the table names no route that does not exist', () => {
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((key) => !(key in ROUTE_RULES))
    expect(missing).toEqual([])
    const registered = new Set(g.app.routes.map((r) => `${r.method} ${r.path}`))
    expect(Object.keys(ROUTE_RULES).filter((key) => !registered.has(key))).toEqual([])
  })

  it('is refused without credentials, and with faas-cli’s empty bearer token', async () => {
    for (const route of routes) {
      const response = await send(route)
      expect(response.status, `${route.method} ${route.path}`).toBe(401)
      const empty = await send(route, 'Bearer ')
      expect(empty.status, `${route.method} ${route.path} (empty bearer)`).toBe(401)
    }
  })

  it('is refused for a token lacking the scope it needs, in every namespace', async () => {
    const tokens = new Map<Scope, string>()
    for (const scope of SCOPES) {
      const lacking = scopesLacking(scope)
      if (lacking.length > 0)
        tokens.set(scope, (await createToken(g, { scopes: lacking, namespaces: ['*'] })).token)
    }
    const { token: noAdmin } = await createToken(g, {
      scopes: ['read', 'deploy', 'secrets', 'invoke'],
      namespaces: ['*'],
    })
    for (const route of routes) {
      const rule = ROUTE_RULES[`${route.method} ${route.path}`]!
      const token = tokens.get(rule.scope) ?? noAdmin
      const response = await send(route, `Bearer ${token}`)
      expect(response.status, `${route.method} ${route.path} needs ${rule.scope}`).toBe(403)
    }
  })

  it('is refused for a token with every scope but admin, limited to a namespace the request does not name', async () => {
    const { token } = await createToken(g, {
      scopes: ['read', 'deploy', 'secrets', 'invoke'],
      namespaces: ['elsewhere'],
    })
    for (const route of routes) {
      const rule = ROUTE_RULES[`${route.method} ${route.path}`]!
      if (rule.where === 'none') continue
      const response = await send(route, `Bearer ${token}`)
      expect(response.status, `${route.method} ${route.path}`).toBe(403)
    }
  })

  it('is let through for the admin (the answer is the route’s, not the auth’s)', async () => {
    for (const route of routes) {
      const response = await send(route, basic(g))
      expect([401, 403], `${route.method} ${route.path}`).not.toContain(response.status)
    }
  })

  it('an unknown /system path needs admin too', async () => {
    const { token } = await createToken(g, {
      scopes: ['read', 'deploy', 'secrets', 'invoke'],
      namespaces: ['*'],
    })
    expect((await g.request('/system/nothing-here')).status).toBe(401)
    expect(
      (await g.request('/system/nothing-here', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(403)
  })
})
