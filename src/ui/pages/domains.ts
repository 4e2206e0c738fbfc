/**
 * @module
 * `/ui/domains`: custom domains (docs/domains.md) with where each certificate stands — state, source,
 * expiry, when it renews, the last ACME error and the next attempt — filterable by namespace.
 * `/ui/domains/:host` adds the issuer (read from the stored chain by the API). Read-only: domains are
 * claimed through a function's `edgefaas.dev/domains` annotation, `/system/domains` or the CLI.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { CertificateView } from '../../domains/certificate-view.ts'
import { apiRead, namespaceFilter, pageStatus, queryOf, queryParam, refusal, when } from '../api-read.ts'
import type { Markup } from '../layout.ts'
import { visibleNamespaces } from '../ns-picker.ts'
import { pager, paginate } from '../paginate.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage } from './types.ts'

interface DomainView {
  host: string
  function: string
  namespace: string
  path: string
  redirectHttps: boolean
  tls: 'acme' | 'uploaded' | 'none'
  source: string
  createdAt: string
  updatedAt: string
  certificate: CertificateView & { issuer?: string | null }
}

type Verdict = { kind: 'ok' | 'warn' | 'bad' | 'idle'; label: string }

/** Certificates expiring within this are flagged even before ACME's renewal time. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600_000

export function certificateVerdict(d: DomainView, now: number): Verdict {
  const cert = d.certificate
  if (cert.state === 'expired') return { kind: 'bad', label: 'expired' }
  if (cert.state === 'issued') {
    const left = Date.parse(cert.notAfter ?? '') - now
    if (cert.lastError) return { kind: 'warn', label: 'issued, renewal failing' }
    if (left < EXPIRY_WARNING_MS) return { kind: 'warn', label: 'expires soon' }
    return { kind: 'ok', label: 'issued' }
  }
  if (cert.state === 'pending') {
    return cert.lastError ? { kind: 'bad', label: 'ACME failing' } : { kind: 'warn', label: 'pending' }
  }
  return d.tls === 'uploaded'
    ? { kind: 'warn', label: 'awaiting upload' }
    : { kind: 'idle', label: 'HTTP only' }
}

/** Where renewal stands, in words. */
export function renewal(d: DomainView, now: number): string {
  const cert = d.certificate
  if (d.tls === 'none') return 'none (HTTP only)'
  if (d.tls === 'uploaded' || cert.source === 'uploaded')
    return 'manual: upload a new certificate before it expires'
  if (cert.lastError && cert.nextAttemptAt)
    return `retrying at ${short(cert.nextAttemptAt)} (${cert.attempts} failed)`
  if (cert.state === 'pending') return 'ordering'
  if (cert.renewAfter) {
    return Date.parse(cert.renewAfter) <= now ? 'due now' : `renews after ${short(cert.renewAfter)}`
  }
  return '—'
}

const short = (iso: string) => iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, 'Z')

function row(d: DomainView, now: number): Markup {
  const verdict = certificateVerdict(d, now)
  return html`<tr data-host="${d.host}" data-cert-state="${d.certificate.state}">
<td><a href="/ui/domains/${encodeURIComponent(d.host)}">${d.host}</a></td>
<td><a href="${functionPath(d.namespace, d.function)}">${d.function}</a></td>
<td>${d.namespace}</td>
<td class="mono small">${d.path}</td>
<td>${d.tls}</td>
<td><span class="badge ${verdict.kind}" data-verdict>${verdict.label}</span></td>
<td class="small">${when(d.certificate.notAfter)}</td>
<td class="small">${renewal(d, now)}</td>
<td class="wrap small" data-last-error>${d.certificate.lastError ?? html`<span class="muted">—</span>`}</td>
</tr>`
}

async function list(c: Context, ui: UiContext): Promise<Response> {
  const namespace = queryParam(c, 'namespace')
  const [read, names] = await Promise.all([
    apiRead<DomainView[]>(c, ui, `/system/domains${queryOf({ namespace })}`),
    visibleNamespaces(c, ui),
  ])
  const picker = namespaceFilter('/ui/domains', namespace, names)
  if (!read.ok) {
    return ui.render(c, {
      title: 'Domains',
      nav: 'domains',
      status: pageStatus(read.status),
      body: refusal('Domains', read.message, picker),
    })
  }
  const now = Date.now()
  const page = paginate(read.data, { page: c.req.query('page'), per: c.req.query('per') })
  const self = `/ui/domains${queryOf({ namespace, page: String(page.page), per: String(page.per) })}`
  return ui.render(c, {
    title: 'Domains',
    nav: 'domains',
    body: html`<div class="toolbar"><h1 class="grow">Domains ${namespace ? html`<span class="muted small">in ${namespace}</span>` : ''}</h1>${picker}</div>
<div id="domains-table" hx-get="${self}" hx-trigger="every 10s" hx-select="#domains-table" hx-swap="outerHTML">
${
  read.data.length === 0
    ? html`<p class="muted" id="no-domains">No custom domains${namespace ? ` in ${namespace}` : ''}.</p>`
    : html`<table class="grid" id="domains">
<thead><tr><th>Host</th><th>Function</th><th>Namespace</th><th>Path</th><th>TLS</th><th>Certificate</th><th>Not after</th><th>Renewal</th><th>Last ACME error</th></tr></thead>
<tbody>${page.items.map((d) => row(d, now))}</tbody></table>
${pager(page, '/ui/domains', { namespace })}`
}
</div>
<p class="muted small">Domains are claimed by a function's <code>edgefaas.dev/domains</code> annotation or with
<code>/system/domains</code>; ACME certificates renew when a third of their lifetime is left.</p>`,
  })
}

async function detail(c: Context, ui: UiContext): Promise<Response> {
  const host = c.req.param('host') ?? ''
  const read = await apiRead<DomainView>(c, ui, `/system/domains/${encodeURIComponent(host)}`)
  if (!read.ok) {
    return ui.render(c, {
      title: 'Domain',
      nav: 'domains',
      status: pageStatus(read.status),
      body: refusal('Domain', read.message, html`<p><a href="/ui/domains">All domains</a></p>`),
    })
  }
  const d = read.data
  const cert = d.certificate
  const now = Date.now()
  const verdict = certificateVerdict(d, now)
  const kv = (entries: Array<[string, Markup | string | number]>) =>
    html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
  return ui.render(c, {
    title: `Domain ${d.host}`,
    nav: 'domains',
    body: html`<div class="toolbar"><h1 class="grow">${d.host} <span class="badge ${verdict.kind}" id="verdict">${verdict.label}</span></h1>
<a href="/ui/domains">All domains</a></div>
<div class="cards">
<section class="card"><h3>Routing</h3>${kv([
      [
        'Function',
        html`<a href="${functionPath(d.namespace, d.function)}">${d.function}</a> in ${d.namespace}`,
      ],
      ['Path prefix', html`<span class="mono">${d.path}</span>`],
      ['Redirect to HTTPS', d.redirectHttps ? 'yes' : 'no'],
      ['Claimed by', d.source === 'annotation' ? 'the function’s edgefaas.dev/domains annotation' : d.source],
      ['Updated', when(d.updatedAt)],
    ])}</section>
<section class="card" id="certificate"><h3>Certificate</h3>${kv([
      ['TLS', d.tls],
      ['State', html`<span data-cert-state>${cert.state}</span>`],
      ['Source', cert.source ?? '—'],
      ['Issuer', html`<span data-issuer>${cert.issuer ?? '—'}</span>`],
      ['Not before', when(cert.notBefore)],
      ['Not after', when(cert.notAfter)],
      ['Renewal', renewal(d, now)],
      ['Failed attempts', cert.attempts],
      ['Next attempt', when(cert.nextAttemptAt)],
      ['Last ACME error', html`<span data-last-error>${cert.lastError ?? '—'}</span>`],
    ])}</section>
</div>`,
  })
}

export const domainsPage: UiPage = {
  routes: [
    { method: 'GET', path: '/ui/domains', scope: 'read', where: 'filter', handler: list },
    { method: 'GET', path: '/ui/domains/:host', scope: 'read', where: 'cluster', handler: detail },
  ],
}
