/**
 * @module
 * What a dashboard page is: its routes, each with the scope it needs, so the route→scope table
 * (src/access/route-scopes.ts) is built from the pages themselves and a page cannot forget its line.
 */
import type { Context } from 'hono'
import type { NamespaceSource } from '../../access/route-scopes.ts'
import type { Scope } from '../../access/scopes.ts'
import type { GatewayDeps } from '../../deps.ts'
import type { ApiCaller } from '../api-client.ts'
import type { Markup } from '../layout.ts'

export interface UiRoute {
  /** Reads are GET; every write is POST (a form), never GET. */
  method: 'GET' | 'POST'
  /** A Hono path under /ui/. A `:namespace` parameter names the namespace the route acts in. */
  path: string
  /**
   * What a token needs: `read` for pages; for a write, the scope of the API write it performs (which
   * checks it again, with the caller's credentials, in-process).
   */
  scope: Scope
  /** Where the namespaces it acts in are found (see route-scopes.ts). */
  where: NamespaceSource
  handler(c: Context, ui: UiContext): Response | Promise<Response>
}

export interface UiPage {
  routes: UiRoute[]
}

export interface RenderOptions {
  title: string
  /** The NAV entry (nav.ts) to mark current. */
  nav: string
  body: Markup
  head?: Markup
  status?: 200 | 400 | 403 | 404 | 409 | 422 | 500 | 502 | 503
}

/** What a page handler gets beside the request. */
export interface UiContext {
  deps: GatewayDeps
  /** Calls the REST API in-process with the caller's credentials (api-client.ts). */
  api: ApiCaller
  /** The page in the layout, with the pending flash message and the dashboard's security headers. */
  render(c: Context, options: RenderOptions): Promise<Response>
}
