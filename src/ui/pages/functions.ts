/**
 * @module
 * `/ui/` and `/ui/functions`: the functions of one namespace (`?namespace=`, default the gateway's),
 * paged, filterable by name (`?q=`), with replicas ready/desired, rate, error ratio, p95, placement, the
 * health verdict and the last error. Refreshed every 5 s by htmx when it is loaded (the table only).
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import { resolveNamespace } from '../../api/namespaces-param.ts'
import { ApiError } from '../../errors.ts'
import { type FunctionView, formatMs, formatRate, formatRatio, viewFunction } from '../function-view.ts'
import { namespacePicker, visibleNamespaces } from '../ns-picker.ts'
import { pager, paginate } from '../paginate.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage, UiRoute } from './types.ts'

async function listPage(c: Context, ui: UiContext): Promise<Response> {
  const { deps } = ui
  const asked = c.req.query('namespace')
  let namespace: string
  try {
    namespace = await resolveNamespace(deps, asked)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return ui.render(c, {
      title: 'Functions',
      nav: 'functions',
      status: 400,
      body: html`<h1>Functions</h1><div class="flash error" role="alert">${error.message}</div>
${namespacePicker('/ui/functions', deps.config.defaultNamespace, await visibleNamespaces(c, ui))}`,
    })
  }
  const q = (c.req.query('q') ?? '').trim().toLowerCase()
  const [functions, rows, names] = await Promise.all([
    deps.store.listFunctions(namespace),
    deps.store.listDeployments({ namespace }),
    visibleNamespaces(c, ui),
  ])
  const matching = (q ? functions.filter((f) => f.name.includes(q)) : functions).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )
  const page = paginate(matching, { page: c.req.query('page'), per: c.req.query('per') })
  const views = page.items.map((fn) => viewFunction(fn, rows, deps.ui.stats))
  const self = `/ui/functions?${new URLSearchParams({ namespace, ...(q ? { q } : {}), page: String(page.page), per: String(page.per) })}`
  const filter = html`<input type="search" name="q" value="${q}" placeholder="filter by name" aria-label="Filter by name">`
  return ui.render(c, {
    title: 'Functions',
    nav: 'functions',
    body: html`<div class="toolbar">
<h1 class="grow">Functions <span class="muted small">in ${namespace}</span></h1>
${namespacePicker('/ui/functions', namespace, names, filter)}
<a class="button primary" href="/ui/deploy/${encodeURIComponent(namespace)}" id="deploy-link">Deploy function</a>
</div>
<div id="fn-table" hx-get="${self}" hx-trigger="every 5s" hx-select="#fn-table" hx-swap="outerHTML">
${views.length === 0 ? html`<p class="muted" id="no-functions">${q ? 'No function matches this filter.' : `No functions in ${namespace} yet.`}</p>` : table(views)}
${pager(page, '/ui/functions', { namespace, q })}
</div>
${deps.ui.stats ? '' : html`<p class="muted small">This runtime keeps no per-function statistics (no metrics registry): rate, errors and latency are not shown.</p>`}`,
  })
}

function table(views: FunctionView[]) {
  return html`<table class="grid" id="functions">
<thead><tr><th>Function</th><th>Health</th><th class="num">Ready / desired</th><th class="num">Rate /s</th><th class="num">5xx</th><th class="num">p95</th><th>Placement</th><th>Image</th><th>Last error</th></tr></thead>
<tbody>${views.map(row)}</tbody>
</table>
<p class="muted small">Rate, 5xx ratio and p95 over the last 5 minutes, as this gateway served them.</p>`
}

function row(v: FunctionView) {
  const { fn } = v
  return html`<tr data-function="${fn.name}">
<td><a href="${functionPath(fn.namespace, fn.name)}">${fn.name}</a></td>
<td><span class="badge ${v.health.kind}" data-health="${v.health.kind}">${v.health.label}</span></td>
<td class="num" data-replicas>${v.ready} / ${v.desired}</td>
<td class="num">${formatRate(v.stats?.rps)}</td>
<td class="num">${formatRatio(v.stats?.errorRatio)}</td>
<td class="num">${formatMs(v.stats?.p95Ms)}</td>
<td class="small">${fn.placement.join(', ')}</td>
<td class="mono small">${fn.spec.image}</td>
<td class="wrap small">${v.lastError ?? ''}</td>
</tr>`
}

const list = (path: string): UiRoute => ({
  method: 'GET',
  path,
  scope: 'read',
  where: 'request',
  handler: listPage,
})

export const functionsPage: UiPage = { routes: [list('/ui/'), list('/ui/functions')] }
