/**
 * @module
 * Every dashboard page, one line each.
 *
 * How to add a page:
 * 1. Write `src/ui/pages/<page>.ts` exporting a `UiPage` (types.ts): its routes, each with its method
 *    (GET to read; POST for a write — never a write on GET), its path under /ui/, the scope a token needs
 *    (`read` for a page; for a write, the scope of the API write it performs) and where its namespaces
 *    are (`:namespace` in the path, or `?namespace=`; see route-scopes.ts), and the handler.
 * 2. Add one line to `UI_PAGES` below. The route→scope table, the router and the route-scopes test pick it
 *    up; the nav entry is in nav.ts.
 * 3. Render with `ui.render(c, { title, nav, body })`: hono/html's `html` escapes every value, use
 *    `raw()` only for markup you wrote. Writes call the REST API in-process (`ui.api(c, method, path,
 *    body)`), then redirect with a flash message (flash.ts), or re-render the form with the API's message.
 */
import { assetsPage } from './assets.ts'
import { asyncCallsPage } from './async-calls.ts'
import { backendsPage } from './backends.ts'
import { deadLettersPage } from './dead-letters.ts'
import { domainsPage } from './domains.ts'
import { functionActionsPage } from './function-actions.ts'
import { functionDetailPage } from './function-detail.ts'
import { functionFormPage } from './function-form.ts'
import { functionsPage } from './functions.ts'
import { loginPage } from './login.ts'
import { namespacesPage } from './namespaces.ts'
import { secretsPage } from './secrets.ts'
import type { UiPage } from './types.ts'

export const UI_PAGES: readonly UiPage[] = [
  assetsPage,
  functionsPage,
  functionFormPage,
  functionDetailPage,
  functionActionsPage,
  loginPage,
  backendsPage,
  domainsPage,
  asyncCallsPage,
  deadLettersPage,
  secretsPage,
  namespacesPage,
]
