/**
 * @module
 * `/ui/functions/:namespace/:name`: one function. Health and figures, live charts (calls, 5xx, p95,
 * replicas) from `…/stats` (this gateway's time series, stats/function-stats.ts) polled by app.js, the
 * log tail (app.js follows `GET /system/logs?follow=true`, the API route, with the browser's own
 * credentials), the invoke panel (app.js calls `/function/<name>.<ns>/…` without credentials, as any
 * client would), scaling history, custom domains, where it is deployed, and the scale and delete forms.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import { formatMs, formatRate, formatRatio, viewFunction } from '../function-view.ts'
import type { Markup } from '../layout.ts'
import { functionPath } from '../paths.ts'
import { notFoundPage } from './function-form.ts'
import type { UiContext, UiPage } from './types.ts'

const HISTORY = 20
const METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const

function kv(entries: Array<[string, Markup | string | number]>): Markup {
  return html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
}

function pairs(record: Record<string, string> | null | undefined): Markup {
  const entries = Object.entries(record ?? {})
  if (entries.length === 0) return html`<span class="muted">none</span>`
  return html`${entries.map(([k, v]) => html`<div class="mono small">${k}=${v}</div>`)}`
}

function when(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

async function detail(c: Context, ui: UiContext): Promise<Response> {
  const { deps } = ui
  const namespace = c.req.param('namespace') ?? ''
  const name = c.req.param('name') ?? ''
  const fn = await deps.store.getFunction(namespace, name)
  if (!fn) return notFoundPage(c, ui, namespace, name)
  const [rows, decisions, domains] = await Promise.all([
    deps.store.listDeployments({ namespace, functionName: name }),
    deps.store.listScalingDecisions(namespace, name, HISTORY),
    deps.store.listDomains({ namespace, functionName: name }),
  ])
  const v = viewFunction(fn, rows, deps.ui.stats)
  const { spec } = fn
  const base = `/function/${encodeURIComponent(name)}.${encodeURIComponent(namespace)}`
  const logs = `/system/logs?${new URLSearchParams({ name, namespace, follow: 'true', tail: '100' })}`
  const assets = deps.ui.assets
  return ui.render(c, {
    title: name,
    nav: 'functions',
    head: html`<link rel="stylesheet" href="${assets.url('uplot.css')}"><script src="${assets.url('uplot.js')}" defer></script>`,
    body: html`<div class="toolbar">
<h1 class="grow"><a href="/ui/functions?namespace=${encodeURIComponent(namespace)}" class="muted">${namespace}</a> / <span id="function-name">${name}</span>
<span class="badge ${v.health.kind}" data-health="${v.health.kind}" id="health">${v.health.label}</span></h1>
<a class="button" href="${functionPath(namespace, name, '/edit')}" id="edit-link">Edit</a>
<form method="post" action="${functionPath(namespace, name, '/scale')}" class="inline" id="scale-form"
  data-confirm="Change the desired replicas of ${name}? 0 stops every replica.">
<label for="replicas" class="muted">Replicas</label>
<input type="number" name="replicas" id="replicas" min="0" max="${deps.config.maxReplicas}" value="${fn.replicas}" required size="4">
<button type="submit" id="scale-submit">Scale</button>
</form>
<form method="post" action="${functionPath(namespace, name, '/delete')}" class="inline" id="delete-form"
  data-confirm="Delete ${name} from ${namespace}? Its replicas are removed from every backend.">
<input type="hidden" name="confirm" value="${name}">
<button type="submit" class="danger" id="delete-submit">Delete</button>
</form>
</div>
<div class="cards">
<div class="card"><h3>Now</h3>${kv([
      ['Ready / desired', html`<span id="replicas-now">${v.ready} / ${v.desired}</span>`],
      ['Rate (5 min)', `${formatRate(v.stats?.rps)} /s`],
      ['5xx ratio', formatRatio(v.stats?.errorRatio)],
      ['p95', formatMs(v.stats?.p95Ms)],
      ['Last error', v.lastError ?? html`<span class="muted">none</span>`],
    ])}</div>
<div class="card"><h3>Spec</h3>${kv([
      ['Image', html`<span class="mono">${spec.image}</span>`],
      [
        'fprocess',
        spec.envProcess
          ? html`<span class="mono">${spec.envProcess}</span>`
          : html`<span class="muted">none</span>`,
      ],
      ['Placement', fn.placement.join(', ')],
      ['Secrets', (spec.secrets ?? []).join(', ') || html`<span class="muted">none</span>`],
      ['Created', when(fn.createdAt)],
      ['Generation', fn.generation],
    ])}</div>
<div class="card"><h3>Labels</h3>${pairs(spec.labels)}<h3>Annotations</h3>${pairs(spec.annotations)}</div>
<div class="card"><h3>Environment</h3>${pairs(spec.envVars)}</div>
</div>

<h2>Last minutes <span class="muted small">(this gateway, 5 s steps)</span></h2>
<div id="charts" data-stats-url="${functionPath(namespace, name, '/stats')}">
<div class="cards four">
<div class="card"><h3>Calls /s</h3><div class="chart" data-chart="calls"></div></div>
<div class="card"><h3>5xx /s</h3><div class="chart" data-chart="errors"></div></div>
<div class="card"><h3>Latency p95 (ms)</h3><div class="chart" data-chart="latency"></div></div>
<div class="card"><h3>Replicas</h3><div class="chart" data-chart="replicas"></div></div>
</div>
<div class="field-error" data-stats-error></div>
</div>

<div class="cards">
<div class="card">
<h3>Invoke</h3>
<form id="invoke" data-invoke-base="${base}">
<div class="toolbar">
<select name="method" aria-label="Method">${METHODS.map((m) => html`<option>${m}</option>`)}</select>
<span class="mono small muted">${base}</span><input name="path" value="/" aria-label="Path" size="16">
<button type="submit" class="primary" id="invoke-submit">Send</button>
</div>
<label class="muted small" for="invoke-headers">Headers (Name: value per line)</label>
<textarea name="headers" id="invoke-headers" rows="2" placeholder="Content-Type: text/plain"></textarea>
<label class="muted small" for="invoke-body">Body</label>
<textarea name="body" id="invoke-body" rows="4"></textarea>
</form>
<div id="invoke-result" hidden>
<div><strong data-status></strong> <span class="muted small" data-timing></span></div>
<pre class="out small" data-headers></pre>
<pre class="out" data-body id="invoke-body-out"></pre>
</div>
${
  deps.config.functionsPort !== undefined || deps.config.functionsHost !== undefined
    ? html`<p class="field-error" id="invoke-elsewhere">Functions are served from their own origin here (EDGEFAAS_FUNCTIONS_PORT / EDGEFAAS_FUNCTIONS_HOST), on purpose, so this page cannot call them: use <code>curl</code> against that origin.</p>`
    : ''
}
<noscript><p class="muted small">The invoke panel needs JavaScript; without it: <code>curl -d @body ${base}/</code></p></noscript>
</div>
<div class="card" id="logs" data-logs-url="${logs}">
<h3>Logs</h3>
<div class="toolbar"><button type="button" data-logs-toggle>Stop</button><span class="muted small" data-logs-state></span></div>
<pre class="log" id="log-lines"></pre>
</div>
</div>

<h2>Deployments</h2>
<table class="grid" id="deployments"><thead><tr><th>Backend</th><th>Status</th><th class="num">Ready</th><th class="num">Applied generation</th><th>Last error</th><th>Updated</th></tr></thead>
<tbody>${v.deployments.map(
      (d) =>
        html`<tr><td>${d.backend}</td><td>${d.status}</td><td class="num">${d.availableReplicas}</td><td class="num">${d.appliedGeneration}</td><td class="wrap small">${d.lastError ?? ''}</td><td class="small">${when(d.updatedAt)}</td></tr>`,
    )}</tbody></table>

<h2>Scaling history</h2>
${
  decisions.length === 0
    ? html`<p class="muted">No scaling decisions recorded.</p>`
    : html`<table class="grid" id="scaling"><thead><tr><th>When</th><th class="num">From</th><th class="num">To</th><th>Reason</th></tr></thead>
<tbody>${decisions.map((d) => html`<tr><td class="small">${when(d.at)}</td><td class="num">${d.fromReplicas}</td><td class="num">${d.toReplicas}</td><td class="wrap">${d.reason}</td></tr>`)}</tbody></table>`
}

<h2>Domains</h2>
${
  domains.length === 0
    ? html`<p class="muted">No custom domain routes here.</p>`
    : html`<table class="grid" id="domains"><thead><tr><th>Host</th><th>Path prefix</th><th>TLS</th><th>HTTPS redirect</th><th>Source</th></tr></thead>
<tbody>${domains.map((d) => html`<tr><td class="mono">${d.host}</td><td class="mono">${d.pathPrefix}</td><td>${d.tls}</td><td>${d.redirectHttps ? 'yes' : 'no'}</td><td>${d.source}</td></tr>`)}</tbody></table>`
}`,
  })
}

async function stats(c: Context, ui: UiContext): Promise<Response> {
  const namespace = c.req.param('namespace') ?? ''
  const name = c.req.param('name') ?? ''
  const fn = await ui.deps.store.getFunction(namespace, name)
  if (!fn) return c.text(`function ${name} not found in namespace ${namespace}`, 404)
  const series = ui.deps.ui.stats?.series(`${name}.${namespace}`)
  c.header('Cache-Control', 'no-store')
  if (!series) return c.text('this runtime keeps no per-function statistics (no metrics registry)', 501)
  return c.json(series)
}

export const functionDetailPage: UiPage = {
  routes: [
    {
      method: 'GET',
      path: '/ui/functions/:namespace/:name',
      scope: 'read',
      where: 'request',
      handler: detail,
    },
    {
      method: 'GET',
      path: '/ui/functions/:namespace/:name/stats',
      scope: 'read',
      where: 'request',
      handler: stats,
    },
  ],
}
