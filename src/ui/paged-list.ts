/**
 * @module
 * A keyset-paged list page over one `/system/*` list endpoint (`{ items, next }`): the filter form (the
 * namespace picker plus the page's own fields), the API's refusal shown in place, the table or an
 * "empty" line, and the newest/older pager. The async-calls and dead-letters pages are this with their
 * own columns.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import { apiRead, namespaceFilter, pageStatus, queryOf, refusal } from './api-read.ts'
import type { Markup } from './layout.ts'
import { visibleNamespaces } from './ns-picker.ts'
import type { UiContext } from './pages/types.ts'

export interface PagedList<T> {
  title: string
  nav: string
  /** The page's own path (`/ui/async`). */
  path: string
  /** The list endpoint (`/system/calls`), asked with the filters, `limit` and `after`. */
  api: string
  /** The filters as read from the query; `namespace` feeds the namespace picker. */
  filters: Record<string, string | undefined> & { namespace: string | undefined }
  after: string | undefined
  perPage: number
  /** Filter fields beside the namespace picker. */
  fields: Markup
  /** The table of a non-empty page. */
  table(items: T[]): Markup
  /** The line shown when the page is empty; `filtered`: some filter is set. */
  empty(filtered: boolean): Markup
  /** The note under the list. */
  footer: Markup
  /** An element id: the first page refreshes itself in place every 5 s. */
  refreshId?: string
}

export async function pagedList<T>(c: Context, ui: UiContext, page: PagedList<T>): Promise<Response> {
  const { filters, after, path } = page
  const [read, names] = await Promise.all([
    apiRead<{ items: T[]; next: string | null }>(
      c,
      ui,
      `${page.api}${queryOf({ ...filters, limit: String(page.perPage), after })}`,
    ),
    visibleNamespaces(c, ui),
  ])
  const form = namespaceFilter(path, filters.namespace, names, page.fields)
  if (!read.ok) {
    return ui.render(c, {
      title: page.title,
      nav: page.nav,
      status: pageStatus(read.status),
      body: refusal(page.title, read.message, form),
    })
  }
  const { items, next } = read.data
  const self = `${path}${queryOf(filters)}`
  const filtered = Object.values(filters).some((value) => value)
  const content = html`${items.length === 0 ? page.empty(filtered) : page.table(items)}
<nav class="pager small" aria-label="Pages">${after ? html`<a href="${self}">← newest</a>` : ''}${
    next ? html`<a href="${path}${queryOf({ ...filters, after: next })}" rel="next">older →</a>` : ''
  }</nav>`
  const id = page.refreshId
  return ui.render(c, {
    title: page.title,
    nav: page.nav,
    body: html`<div class="toolbar"><h1 class="grow">${page.title}</h1>${form}</div>
${
  id
    ? html`<div id="${id}"${after ? '' : html` hx-get="${self}" hx-trigger="every 5s" hx-select="#${id}" hx-swap="outerHTML"`}>
${content}
</div>`
    : content
}
${page.footer}`,
  })
}
