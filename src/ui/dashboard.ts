/**
 * @module
 * Mounts the dashboard on the app: the pages of pages/registry.ts, each route behind the same auth as
 * `/system` (the default-deny middleware and the cross-site check run before any of them), rendered in
 * the layout with the dashboard's security headers.
 */
import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie } from 'hono/cookie'
import { methodNotAllowed } from '../api/responses.ts'
import { SESSION_COOKIE } from '../auth/session-cookie.ts'
import type { GatewayDeps } from '../deps.ts'
import { createApiCaller } from './api-client.ts'
import { takeFlash } from './flash.ts'
import { layout } from './layout.ts'
import { UI_PAGES } from './pages/registry.ts'
import type { RenderOptions, UiContext } from './pages/types.ts'

/**
 * No inline script (all behaviour is in /ui/assets), nothing from other origins, no framing (click-
 * jacking a Delete button), forms only to this gateway.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export function pageHeaders(c: Context): void {
  c.header('Content-Security-Policy', CSP)
  c.header('X-Frame-Options', 'DENY')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'same-origin')
  // Pages show the caller's data: never in a shared cache, nor replayed from history after logout.
  c.header('Cache-Control', 'no-store')
  // What the OpenFaaS UI's handler sends (contract §1.5.13).
  c.header('Access-Control-Allow-Headers', 'Content-Type')
  c.header('Access-Control-Allow-Methods', 'GET')
}

export function registerDashboard(app: Hono, deps: GatewayDeps): void {
  const ui: UiContext = {
    deps,
    api: createApiCaller(app),
    async render(c: Context, options: RenderOptions) {
      pageHeaders(c)
      const flash = takeFlash(c)
      const signedIn = getCookie(c, SESSION_COOKIE) !== undefined
      const page = await layout({ ...options, assets: deps.ui.assets, flash, signedIn })
      return c.html(page, options.status ?? 200)
    },
  }
  // Forms are small; the login form is public, so nothing reads an unbounded body into memory.
  const formLimit = bodyLimit({
    maxSize: deps.config.maxApiBodyBytes,
    onError: (c) => c.text('request body too large', 413),
  })
  app.get('/ui', (c) => c.redirect('/ui/', 301))
  const paths = new Set<string>()
  for (const page of UI_PAGES) {
    for (const route of page.routes) {
      const handler = (c: Context) => route.handler(c, ui)
      if (route.method === 'GET') app.get(route.path, handler)
      else app.post(route.path, formLimit, handler)
      paths.add(route.path)
    }
  }
  for (const path of paths) app.all(path, methodNotAllowed)
}
