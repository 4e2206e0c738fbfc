/**
 * @module
 * The dashboard's entries of the route→scope table (src/access/route-scopes.ts), built from the pages'
 * own declarations (pages/registry.ts), so a page cannot be added without its scope.
 */
import type { RouteRule } from '../access/route-scopes.ts'
import { UI_PAGES } from './pages/registry.ts'

export function dashboardRouteRules(): Record<string, RouteRule> {
  const rules: Record<string, RouteRule> = { 'GET /ui': { scope: 'read', where: 'none' } }
  for (const page of UI_PAGES) {
    for (const route of page.routes) {
      rules[`${route.method} ${route.path}`] = { scope: route.scope, where: route.where }
      // The 405 for another method tells nothing: any valid token sees it.
      rules[`ALL ${route.path}`] = { scope: 'read', where: 'none' }
    }
  }
  return rules
}
