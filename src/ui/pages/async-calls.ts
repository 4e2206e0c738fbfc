/**
 * @module
 * `/ui/async`: recent asynchronous calls (`GET /system/calls`: last change first, keyset-paged), filtered
 * by namespace, function and status; the first page refreshes every 5 s. `/ui/async/:id`: one call's
 * status, refreshed every 2 s while it is queued or running — where a replayed dead letter lands, so
 * the outcome of a replay is seen finishing — with a link to its dead letter when it died, and a
 * cancel form while it is queued (`DELETE /async-function/{id}`, admin, as through the API).
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { CallStatus } from '../../store/types.ts'
import { addressable, apiRead, pageStatus, queryParam, refusal, when } from '../api-read.ts'
import { setFlash } from '../flash.ts'
import type { Markup } from '../layout.ts'
import { pagedList } from '../paged-list.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage } from './types.ts'

export interface CallView {
  id: string
  function: string
  namespace: string
  queue: string
  status: CallStatus
  attempts: number
  lastStatus: number | null
  lastError: string | null
  createdAt: string
  updatedAt: string
}

const STATUSES: readonly CallStatus[] = ['queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled']
const PER_PAGE = 50

const STATUS_KIND: Record<CallStatus, 'ok' | 'warn' | 'bad' | 'idle'> = {
  queued: 'idle',
  running: 'warn',
  succeeded: 'ok',
  failed: 'bad',
  dead: 'bad',
  cancelled: 'idle',
}

export function statusBadge(status: CallStatus): Markup {
  return html`<span class="badge ${STATUS_KIND[status] ?? 'idle'}" data-status="${status}">${status}</span>`
}

export const callPath = (id: string) => `/ui/async/${encodeURIComponent(id)}`

function row(call: CallView): Markup {
  return html`<tr data-call="${call.id}">
<td class="mono small">${addressable(call.id) ? html`<a href="${callPath(call.id)}">${call.id}</a>` : call.id}</td>
<td><a href="${functionPath(call.namespace, call.function)}">${call.function}</a></td>
<td>${call.namespace}</td>
<td>${statusBadge(call.status)}</td>
<td class="num">${call.attempts}</td>
<td class="num">${call.lastStatus ?? '—'}</td>
<td class="small">${when(call.createdAt)}</td>
<td class="small">${when(call.updatedAt)}</td>
<td class="wrap small">${call.lastError ?? html`<span class="muted">—</span>`}</td>
</tr>`
}

async function list(c: Context, ui: UiContext): Promise<Response> {
  const filters = {
    namespace: queryParam(c, 'namespace'),
    function: queryParam(c, 'function'),
    status: queryParam(c, 'status'),
  }
  return pagedList<CallView>(c, ui, {
    title: 'Async calls',
    nav: 'async',
    path: '/ui/async',
    api: '/system/calls',
    filters,
    after: queryParam(c, 'after'),
    perPage: PER_PAGE,
    fields: html`<input name="function" aria-label="Function" placeholder="function" size="14" value="${filters.function ?? ''}">
<select name="status" aria-label="Status"><option value="">any status</option>${STATUSES.map(
      (s) => html`<option value="${s}"${s === filters.status ? html` selected` : ''}>${s}</option>`,
    )}</select>`,
    table: (items) => html`<table class="grid" id="calls">
<thead><tr><th>Call id</th><th>Function</th><th>Namespace</th><th>Status</th><th class="num">Attempts</th><th class="num">Last HTTP</th><th>Submitted</th><th>Last change</th><th>Last error</th></tr></thead>
<tbody>${items.map(row)}</tbody></table>`,
    empty: (filtered) =>
      html`<p class="muted" id="no-calls">No asynchronous calls${filtered ? ' match these filters' : ' yet'}.</p>`,
    footer: html`<p class="muted small">Most recently changed first. Finished calls are kept for EDGEFAAS_CALL_RETENTION_HOURS;
calls that exhausted their retries are in <a href="/ui/dead-letters">Dead letters</a>, where they can be replayed.</p>`,
    refreshId: 'calls-table',
  })
}

async function detail(c: Context, ui: UiContext): Promise<Response> {
  const id = c.req.param('id') ?? ''
  const read = await apiRead<CallView>(c, ui, `/system/calls/${encodeURIComponent(id)}`)
  if (!read.ok) {
    return ui.render(c, {
      title: 'Async call',
      nav: 'async',
      status: pageStatus(read.status),
      body: refusal('Async call', read.message, html`<p><a href="/ui/async">All calls</a></p>`),
    })
  }
  const call = read.data
  const open = call.status === 'queued' || call.status === 'running'
  const kv = (entries: Array<[string, Markup | string | number]>) =>
    html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
  return ui.render(c, {
    title: `Call ${call.id}`,
    nav: 'async',
    body: html`<div class="toolbar"><h1 class="grow">Call <span class="mono">${call.id}</span></h1><a href="/ui/async">All calls</a></div>
<div id="call"${open ? html` hx-get="${callPath(call.id)}" hx-trigger="every 2s" hx-select="#call" hx-swap="outerHTML"` : ''}>
<section class="card">${kv([
      ['Status', statusBadge(call.status)],
      [
        'Function',
        html`<a href="${functionPath(call.namespace, call.function)}">${call.function}</a> in ${call.namespace}`,
      ],
      ['Queue', call.queue],
      ['Attempts', call.attempts],
      ['Last HTTP status', call.lastStatus ?? '—'],
      ['Last error', call.lastError ?? '—'],
      ['Submitted', when(call.createdAt)],
      ['Last change', when(call.updatedAt)],
    ])}</section>
${call.status === 'dead' ? html`<p><a href="/ui/dead-letters/${encodeURIComponent(call.id)}" id="dead-letter-link">Its dead letter: inspect and replay →</a></p>` : ''}
${
  call.status === 'queued'
    ? html`<form method="post" action="${callPath(call.id)}/cancel" class="inline" data-confirm="Cancel this queued call? It will not run.">
<button type="submit" class="danger">Cancel call</button></form>`
    : ''
}
</div>`,
  })
}

async function cancel(c: Context, ui: UiContext): Promise<Response> {
  const id = c.req.param('id') ?? ''
  const answer = await ui.api(c, 'DELETE', `/async-function/${encodeURIComponent(id)}`)
  setFlash(
    c,
    answer.ok
      ? { kind: 'info', text: `Cancelled call ${id}.` }
      : { kind: 'error', text: `Cancel refused: ${answer.text || answer.status}` },
  )
  return c.redirect(callPath(id), 303)
}

export const asyncCallsPage: UiPage = {
  routes: [
    { method: 'GET', path: '/ui/async', scope: 'read', where: 'filter', handler: list },
    // A call's namespace is known only after it is looked up: the token needs every namespace, as the API's.
    { method: 'GET', path: '/ui/async/:id', scope: 'read', where: 'cluster', handler: detail },
    { method: 'POST', path: '/ui/async/:id/cancel', scope: 'admin', where: 'cluster', handler: cancel },
  ],
}
