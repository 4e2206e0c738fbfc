/**
 * @module
 * `/ui/`: the dashboard, behind the same auth as `/system/*` (the default-deny middleware covers it).
 * CORS headers as the OpenFaaS UI handler sends them.
 */
import type { Hono } from 'hono'
import { DASHBOARD_HTML } from '../ui/dashboard.html.ts'
import { methodNotAllowed } from './responses.ts'

export function registerUiRoutes(app: Hono): void {
  app.get('/ui', (c) => c.redirect('/ui/', 301))
  app.get('/ui/', (c) => {
    c.header('Access-Control-Allow-Headers', 'Content-Type')
    c.header('Access-Control-Allow-Methods', 'GET')
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
    )
    return c.html(DASHBOARD_HTML)
  })
  app.all('/ui/', methodNotAllowed)
}
