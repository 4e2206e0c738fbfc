/**
 * @module
 * `/ui/backends`: every backend functions are placed on, with this gateway's two views of its health —
 * the control plane (`health`: the tick's `/system/info` probe: reachable, last error, last answer) and
 * the traffic (`traffic`: the router's passive health from real calls — healthy, ejected, half-open —
 * the calls out there now and the load estimate) — plus labels, kind and endpoint. Refreshed every 5 s
 * by htmx. `/ui/backends/:name` checks the backend afresh (the API's GET does) and lists the functions
 * placed on it with their placement weight and the share of their traffic that weight asks for.
 * Read-only: backends change through the API, the CLI or the backends file.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { BackendView } from '../../backends/record.ts'
import { placementWeights } from '../../routing/weights.ts'
import { apiRead, pageStatus, refusal, when } from '../api-read.ts'
import type { Markup } from '../layout.ts'
import { pager, paginate } from '../paginate.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage } from './types.ts'

type Verdict = { kind: 'ok' | 'warn' | 'bad' | 'idle'; label: string }

/** One verdict from both views: either one seeing it fail makes it unhealthy. */
export function backendVerdict(b: BackendView): Verdict {
  if (b.health.reachable === false) return { kind: 'bad', label: 'unreachable' }
  if (b.traffic.state === 'ejected') return { kind: 'bad', label: 'ejected' }
  if (b.traffic.state === 'half-open') return { kind: 'warn', label: 'recovering' }
  if (b.health.reachable === true) return { kind: 'ok', label: 'healthy' }
  return { kind: 'idle', label: 'not checked yet' }
}

function labels(record: Record<string, string>): Markup {
  const entries = Object.entries(record)
  if (entries.length === 0) return html`<span class="muted">—</span>`
  return html`${entries.map(([k, v]) => html`<span class="mono small label">${k}=${v}</span> `)}`
}

function endpoint(b: BackendView): string {
  if (b.url) return b.url
  if (b.region) return `${b.kind} ${b.region}`
  return b.builtin ? 'this gateway' : '—'
}

function lastError(b: BackendView): string | null {
  // The traffic's error is the fresher one while calls fail; the probe's otherwise.
  if (b.traffic.state !== null && b.traffic.state !== 'healthy' && b.traffic.lastError)
    return b.traffic.lastError
  return b.health.reachable === false ? b.health.lastError : (b.health.lastError ?? b.traffic.lastError)
}

function row(b: BackendView): Markup {
  const verdict = backendVerdict(b)
  const error = lastError(b)
  return html`<tr data-backend="${b.name}" data-health="${verdict.kind}">
<td><a href="/ui/backends/${encodeURIComponent(b.name)}">${b.name}</a>${b.default ? html` <span class="badge idle">default</span>` : ''}</td>
<td><span class="badge ${verdict.kind}" data-verdict>${verdict.label}</span></td>
<td>${b.kind}</td>
<td class="mono small">${endpoint(b)}</td>
<td class="num" data-inflight>${b.traffic.inflight}</td>
<td class="num">${b.traffic.peakLatencyMs > 0 ? `${b.traffic.peakLatencyMs} ms` : '—'}</td>
<td class="num">${b.functions}</td>
<td class="wrap">${labels(b.labels)}</td>
<td class="small">${when(b.health.lastSeen)}</td>
<td class="wrap small" data-last-error>${error ?? html`<span class="muted">—</span>`}</td>
</tr>`
}

async function list(c: Context, ui: UiContext): Promise<Response> {
  const read = await apiRead<BackendView[]>(c, ui, '/system/backends')
  if (!read.ok) {
    return ui.render(c, {
      title: 'Backends',
      nav: 'backends',
      status: pageStatus(read.status),
      body: refusal('Backends', read.message),
    })
  }
  const backends = read.data
  return ui.render(c, {
    title: 'Backends',
    nav: 'backends',
    body: html`<h1>Backends</h1>
<div id="backends-table" hx-get="/ui/backends" hx-trigger="every 5s" hx-select="#backends-table" hx-swap="outerHTML">
<table class="grid" id="backends">
<thead><tr><th>Backend</th><th>Health</th><th>Kind</th><th>Endpoint</th><th class="num">In flight</th><th class="num">Load</th><th class="num">Functions</th><th>Labels</th><th>Last answer</th><th>Last error</th></tr></thead>
<tbody>${backends.map(row)}</tbody>
</table>
</div>
<p class="muted small">Health combines this gateway's probe of each backend's control plane (every reconcile tick)
and what its calls saw: a backend that fails calls in a row is ejected and gets no calls until it answers again.
Load is the slowest function's recent answer time there, the estimate the router weighs. Backends are managed
with <code>/system/backends</code>, <code>edgefaas backends</code> or the backends file.</p>`,
  })
}

async function detail(c: Context, ui: UiContext): Promise<Response> {
  const name = c.req.param('name') ?? ''
  const read = await apiRead<BackendView>(c, ui, `/system/backends/${encodeURIComponent(name)}`)
  if (!read.ok) {
    return ui.render(c, {
      title: 'Backend',
      nav: 'backends',
      status: pageStatus(read.status),
      body: refusal('Backend', read.message, html`<p><a href="/ui/backends">All backends</a></p>`),
    })
  }
  const b = read.data
  const verdict = backendVerdict(b)
  const placed = (await ui.deps.store.listFunctions())
    .filter((f) => f.placement.includes(b.name))
    .sort((x, y) => (x.namespace + x.name < y.namespace + y.name ? -1 : 1))
    .map((f) => {
      const weights = placementWeights(f)
      const weight = weights[f.placement.indexOf(b.name)] ?? 0
      const total = weights.reduce((sum, w) => sum + w, 0)
      return { f, weight, share: total > 0 ? weight / total : 0 }
    })
  const page = paginate(placed, { page: c.req.query('page'), per: c.req.query('per') })
  const kv = (entries: Array<[string, Markup | string | number]>) =>
    html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
  return ui.render(c, {
    title: `Backend ${b.name}`,
    nav: 'backends',
    body: html`<div class="toolbar"><h1 class="grow">Backend ${b.name} <span class="badge ${verdict.kind}" id="verdict">${verdict.label}</span></h1>
<a href="/ui/backends">All backends</a></div>
<div class="cards">
<section class="card"><h3>Backend</h3>${kv([
      ['Kind', b.kind],
      ['Endpoint', html`<span class="mono">${endpoint(b)}</span>`],
      ['Default', b.default ? 'yes: functions without a placement go here' : 'no'],
      ['Built in', b.builtin ? 'yes' : 'no'],
      ['Credentials', b.credentials ? b.credentials.type : 'none'],
      ['Labels', labels(b.labels)],
      ['Created', when(b.builtin ? null : b.createdAt)],
    ])}</section>
<section class="card" id="control-plane"><h3>Control plane (probe)</h3>${kv([
      ['Reachable', b.health.reachable === null ? 'not checked yet' : b.health.reachable ? 'yes' : 'no'],
      ['Last answer', when(b.health.lastSeen)],
      ['Checked', when(b.health.checkedAt)],
      ['Last error', b.health.lastError ?? '—'],
    ])}</section>
<section class="card" id="traffic"><h3>Traffic (this gateway's calls)</h3>${kv([
      ['State', b.traffic.state ?? 'no calls yet'],
      ['Failures in a row', b.traffic.consecutiveFailures],
      ['Ejected until', when(b.traffic.ejectedUntil)],
      ['In flight', b.traffic.inflight],
      ['Load', b.traffic.peakLatencyMs > 0 ? `${b.traffic.peakLatencyMs} ms` : '—'],
      ['Last error', b.traffic.lastError ?? '—'],
    ])}</section>
</div>
<h2>Functions placed here (${placed.length})</h2>
${
  placed.length === 0
    ? html`<p class="muted">No function is placed on ${b.name}.</p>`
    : html`<table class="grid" id="placed">
<thead><tr><th>Function</th><th>Namespace</th><th class="num">Weight</th><th class="num">Share</th><th>All placements</th></tr></thead>
<tbody>${page.items.map(
        ({ f, weight, share }) => html`<tr>
<td><a href="${functionPath(f.namespace, f.name)}">${f.name}</a></td><td>${f.namespace}</td>
<td class="num">${weight}</td><td class="num">${Math.round(share * 100)}%</td>
<td class="small">${f.placement.join(', ')}</td></tr>`,
      )}</tbody></table>
${pager(page, `/ui/backends/${encodeURIComponent(b.name)}`, {})}`
}
<p class="muted small">Weights come from each function's <code>edgefaas.dev/backends</code> annotation
(100 when it names none); the share is the weight over the sum of its placements' weights, before health and
load move traffic away from a slow or failing backend.</p>`,
  })
}

export const backendsPage: UiPage = {
  routes: [
    { method: 'GET', path: '/ui/backends', scope: 'read', where: 'cluster', handler: list },
    { method: 'GET', path: '/ui/backends/:name', scope: 'read', where: 'cluster', handler: detail },
  ],
}
