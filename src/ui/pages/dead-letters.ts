/**
 * @module
 * `/ui/dead-letters`: asynchronous calls that exhausted their retries (`GET /system/dead-letters`,
 * newest first, keyset-paged), by namespace and function. `/ui/dead-letters/:id` shows why it died and
 * the request as it will be sent again (headers, and the body as text when it is text), with two writes:
 *
 * - Replay (`POST …/replay` → `POST /system/dead-letters/{id}/replay`, the `invoke` scope): asks for a
 *   confirmation (a checkbox the server checks, plus a dialog where script runs), then shows the call's
 *   own page, which follows it until it succeeds or fails again.
 * - Delete (`POST …/delete` → `DELETE /system/dead-letters/{id}`, the `deploy` scope), confirmed the same way.
 *
 * Both run through the REST API in-process with the caller's credentials, behind the cross-site check.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import { base64ToBytes } from '../../base64.ts'
import { addressable, apiRead, pageStatus, queryParam, refusal, when } from '../api-read.ts'
import { setFlash } from '../flash.ts'
import type { Markup } from '../layout.ts'
import { pagedList } from '../paged-list.ts'
import { functionPath } from '../paths.ts'
import { callPath } from './async-calls.ts'
import type { UiContext, UiPage } from './types.ts'

interface DeadLetterView {
  id: string
  function: string
  namespace: string
  queue: string
  attempts: number
  lastStatus: number | null
  lastError: string | null
  callbackUrl: string | null
  createdAt: string
  request?: {
    method: string
    path: string
    query: string
    headers: Array<[string, string]>
    body: string
  }
}

const PER_PAGE = 50
/** How much of a body the page shows. */
const BODY_PREVIEW = 4096

export const deadLetterPath = (id: string) => `/ui/dead-letters/${encodeURIComponent(id)}`

/** Control characters other than tab, new line and carriage return. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true
  }
  return false
}

/** The stored body as text when it is UTF-8 text, else its size; at most BODY_PREVIEW characters. */
export function bodyPreview(base64: string): { text: string | null; bytes: number; truncated: boolean } {
  let bytes: Uint8Array
  try {
    bytes = base64ToBytes(base64)
  } catch {
    return { text: null, bytes: 0, truncated: false }
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
    // Control characters other than whitespace: binary that happens to be valid UTF-8.
    if (hasControlCharacters(text)) return { text: null, bytes: bytes.length, truncated: false }
    return { text: text.slice(0, BODY_PREVIEW), bytes: bytes.length, truncated: text.length > BODY_PREVIEW }
  } catch {
    return { text: null, bytes: bytes.length, truncated: false }
  }
}

function row(d: DeadLetterView): Markup {
  return html`<tr data-dead-letter="${d.id}">
<td class="mono small">${addressable(d.id) ? html`<a href="${deadLetterPath(d.id)}">${d.id}</a>` : d.id}</td>
<td><a href="${functionPath(d.namespace, d.function)}">${d.function}</a></td>
<td>${d.namespace}</td>
<td class="num">${d.attempts}</td>
<td class="num">${d.lastStatus ?? '—'}</td>
<td class="small">${when(d.createdAt)}</td>
<td class="wrap small">${d.lastError ?? html`<span class="muted">—</span>`}</td>
</tr>`
}

async function list(c: Context, ui: UiContext): Promise<Response> {
  const filters = { namespace: queryParam(c, 'namespace'), function: queryParam(c, 'function') }
  return pagedList<DeadLetterView>(c, ui, {
    title: 'Dead letters',
    nav: 'dead-letters',
    path: '/ui/dead-letters',
    api: '/system/dead-letters',
    filters,
    after: queryParam(c, 'after'),
    perPage: PER_PAGE,
    fields: html`<input name="function" aria-label="Function" placeholder="function" size="14" value="${filters.function ?? ''}">`,
    table: (items) => html`<table class="grid" id="dead-letters">
<thead><tr><th>Call id</th><th>Function</th><th>Namespace</th><th class="num">Attempts</th><th class="num">Last HTTP</th><th>Died</th><th>Last error</th></tr></thead>
<tbody>${items.map(row)}</tbody></table>`,
    empty: (filtered) =>
      html`<p class="muted" id="no-dead-letters">No dead letters${filtered ? ' match these filters' : ''}.</p>`,
    footer: html`<p class="muted small">Calls land here after their last retry failed (<code>com.openfaas.retry.attempts</code>).
Open one to see why, fix the function, then replay it: it is queued again with the same call id.</p>`,
  })
}

async function detail(c: Context, ui: UiContext): Promise<Response> {
  const id = c.req.param('id') ?? ''
  const read = await apiRead<DeadLetterView>(c, ui, `/system/dead-letters/${encodeURIComponent(id)}`)
  if (!read.ok) {
    return ui.render(c, {
      title: 'Dead letter',
      nav: 'dead-letters',
      status: pageStatus(read.status),
      body: refusal(
        'Dead letter',
        read.message,
        html`<p><a href="${callPath(id)}">The call's status</a> · <a href="/ui/dead-letters">All dead letters</a></p>`,
      ),
    })
  }
  const d = read.data
  const request = d.request
  const body = request ? bodyPreview(request.body) : null
  const target = request ? `${request.path}${request.query ? `?${request.query}` : ''}` : ''
  const kv = (entries: Array<[string, Markup | string | number]>) =>
    html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
  return ui.render(c, {
    title: `Dead letter ${d.id}`,
    nav: 'dead-letters',
    body: html`<div class="toolbar"><h1 class="grow">Dead letter <span class="mono">${d.id}</span></h1><a href="/ui/dead-letters">All dead letters</a></div>
<div class="cards">
<section class="card" id="why"><h3>Why it died</h3>${kv([
      [
        'Function',
        html`<a href="${functionPath(d.namespace, d.function)}">${d.function}</a> in ${d.namespace}`,
      ],
      ['Attempts', d.attempts],
      ['Last HTTP status', d.lastStatus ?? '—'],
      ['Last error', html`<span data-last-error>${d.lastError ?? '—'}</span>`],
      ['Died', when(d.createdAt)],
      ['Queue', d.queue],
      ['Callback', d.callbackUrl ?? '—'],
    ])}</section>
<section class="card" id="actions"><h3>Replay or delete</h3>
<form method="post" action="${deadLetterPath(d.id)}/replay" id="replay-form" data-confirm="Replay call ${d.id} to ${d.function}.${d.namespace} now?">
<label><input type="checkbox" name="confirm" value="replay" required> I fixed what made it fail: queue it again with the same call id</label>
<p><button type="submit" class="primary" id="replay">Replay</button></p>
</form>
<form method="post" action="${deadLetterPath(d.id)}/delete" id="delete-form" data-confirm="Delete dead letter ${d.id}? The call will not run.">
<label><input type="checkbox" name="confirm" value="delete" required> Drop this call for good</label>
<p><button type="submit" class="danger" id="delete">Delete</button></p>
</form></section>
</div>
${
  request
    ? html`<h2>Request</h2>
<p class="mono" id="request-line">${request.method} /function/${d.function}.${d.namespace}${target}</p>
<pre class="out small" id="request-headers">${request.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>
${
  body?.text != null
    ? html`<pre class="out" id="request-body">${body.text}</pre>${body.truncated ? html`<p class="muted small">First ${BODY_PREVIEW} characters of ${body.bytes} bytes.</p>` : ''}`
    : html`<p class="muted" id="request-body">${body && body.bytes > 0 ? `${body.bytes} bytes of binary data.` : 'No body.'}</p>`
}`
    : ''
}`,
  })
}

/** The checkbox of the form, checked here too: a write needs its confirmation, script or not. */
async function confirmed(c: Context, value: string): Promise<boolean> {
  const form = await c.req.parseBody()
  return form.confirm === value
}

async function replay(c: Context, ui: UiContext): Promise<Response> {
  const id = c.req.param('id') ?? ''
  if (!(await confirmed(c, 'replay'))) {
    setFlash(c, { kind: 'error', text: 'Not replayed: tick the confirmation box first.' })
    return c.redirect(deadLetterPath(id), 303)
  }
  const answer = await ui.api(c, 'POST', `/system/dead-letters/${encodeURIComponent(id)}/replay`)
  if (!answer.ok) {
    setFlash(c, { kind: 'error', text: `Replay refused: ${answer.text || answer.status}` })
    return c.redirect(deadLetterPath(id), 303)
  }
  setFlash(c, { kind: 'info', text: `Replayed call ${id}: it is queued again. Its status follows.` })
  return c.redirect(callPath(id), 303)
}

async function remove(c: Context, ui: UiContext): Promise<Response> {
  const id = c.req.param('id') ?? ''
  if (!(await confirmed(c, 'delete'))) {
    setFlash(c, { kind: 'error', text: 'Not deleted: tick the confirmation box first.' })
    return c.redirect(deadLetterPath(id), 303)
  }
  const answer = await ui.api(c, 'DELETE', `/system/dead-letters/${encodeURIComponent(id)}`)
  if (!answer.ok) {
    setFlash(c, { kind: 'error', text: `Delete refused: ${answer.text || answer.status}` })
    return c.redirect(deadLetterPath(id), 303)
  }
  setFlash(c, { kind: 'info', text: `Deleted dead letter ${id}.` })
  return c.redirect('/ui/dead-letters', 303)
}

export const deadLettersPage: UiPage = {
  routes: [
    { method: 'GET', path: '/ui/dead-letters', scope: 'read', where: 'filter', handler: list },
    { method: 'GET', path: '/ui/dead-letters/:id', scope: 'read', where: 'cluster', handler: detail },
    // The scopes of the API writes they perform (route-scopes.ts), checked again there in-process.
    {
      method: 'POST',
      path: '/ui/dead-letters/:id/replay',
      scope: 'invoke',
      where: 'cluster',
      handler: replay,
    },
    {
      method: 'POST',
      path: '/ui/dead-letters/:id/delete',
      scope: 'deploy',
      where: 'cluster',
      handler: remove,
    },
  ],
}
