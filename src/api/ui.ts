/**
 * @module
 * `/ui/`: the dashboard (src/ui/), behind the same auth as `/system/*` (the default-deny middleware and the
 * cross-site check run before its routes). Its pages and their scopes are in src/ui/pages/registry.ts.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { registerDashboard } from '../ui/dashboard.ts'

export function registerUiRoutes(app: Hono, deps: GatewayDeps): void {
  registerDashboard(app, deps)
}
