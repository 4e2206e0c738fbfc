/**
 * @module
 * `/ui/namespaces`: every namespace with its labels and annotations and what it holds (functions,
 * secrets, domains), linking to each. Writes, through the REST API in-process with the caller's
 * credentials (the `admin` scope, as `/system/namespace/` needs), behind the cross-site check:
 * create (`POST /ui/namespaces` → `POST /system/namespace/`) with labels and annotations as `KEY=VALUE`
 * lines, and delete (`POST /ui/namespaces/:namespace/delete` → `DELETE /system/namespace/{ns}`),
 * confirmed by typing the name; the API refuses the default namespace and one that still holds
 * functions or secrets, and its message is shown.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import { setFlash } from '../flash.ts'
import { type FormProblem, parsePairs } from '../form-fields.ts'
import type { Markup } from '../layout.ts'
import type { UiContext, UiPage } from './types.ts'

const enc = encodeURIComponent

async function list(c: Context, ui: UiContext): Promise<Response> {
  const { store, config } = ui.deps
  const [namespaces, functions, domains] = await Promise.all([
    store.listNamespaces(),
    store.listFunctions(),
    store.listDomains({}),
  ])
  const count = (names: string[]) => {
    const out = new Map<string, number>()
    for (const n of names) out.set(n, (out.get(n) ?? 0) + 1)
    return out
  }
  const fnCount = count(functions.map((f) => f.namespace))
  const domainCount = count(domains.map((d) => d.namespace))
  const secretCount = new Map(
    await Promise.all(
      namespaces.map(async (n) => [n.name, (await store.listSecrets(n.name)).length] as const),
    ),
  )
  const sorted = [...namespaces].sort((a, b) => (a.name < b.name ? -1 : 1))
  return ui.render(c, {
    title: 'Namespaces',
    nav: 'namespaces',
    body: html`<h1>Namespaces</h1>
<table class="grid" id="namespaces">
<thead><tr><th>Namespace</th><th class="num">Functions</th><th class="num">Secrets</th><th class="num">Domains</th><th>Labels</th><th>Annotations</th><th>Delete</th></tr></thead>
<tbody>${sorted.map((n) =>
      row(
        n.name,
        n.name === config.defaultNamespace,
        {
          functions: fnCount.get(n.name) ?? 0,
          secrets: secretCount.get(n.name) ?? 0,
          domains: domainCount.get(n.name) ?? 0,
        },
        n.labels,
        n.annotations,
      ),
    )}</tbody></table>
<h2>Create a namespace</h2>
${createForm('', '', '', [])}`,
  })
}

function pairsCell(record: Record<string, string>): Markup {
  const entries = Object.entries(record)
  if (entries.length === 0) return html`<span class="muted">—</span>`
  return html`${entries.map(([k, v]) => html`<div class="mono small">${k}=${v}</div>`)}`
}

function row(
  name: string,
  isDefault: boolean,
  counts: { functions: number; secrets: number; domains: number },
  labels: Record<string, string>,
  annotations: Record<string, string>,
): Markup {
  return html`<tr data-namespace="${name}">
<td><a href="/ui/functions?namespace=${enc(name)}">${name}</a>${isDefault ? html` <span class="badge idle">default</span>` : ''}</td>
<td class="num"><a href="/ui/functions?namespace=${enc(name)}">${counts.functions}</a></td>
<td class="num"><a href="/ui/secrets?namespace=${enc(name)}">${counts.secrets}</a></td>
<td class="num"><a href="/ui/domains?namespace=${enc(name)}">${counts.domains}</a></td>
<td class="wrap">${pairsCell(labels)}</td>
<td class="wrap">${pairsCell(annotations)}</td>
<td>${
    isDefault
      ? html`<span class="muted small">the default namespace stays</span>`
      : html`<form method="post" action="/ui/namespaces/${enc(name)}/delete" class="inline" data-confirm="Delete namespace ${name}?">
<input name="confirm" aria-label="Type the name to confirm" placeholder="type ${name}" size="14" required>
<button type="submit" class="danger">Delete</button></form>`
  }</td>
</tr>`
}

function createForm(name: string, labels: string, annotations: string, problems: FormProblem[]): Markup {
  const problemOf = (field: string) => {
    const found = problems.filter((p) => p.field === field)
    return found.length === 0
      ? ''
      : html`<div class="field-error">${found.map((p) => p.message).join('; ')}</div>`
  }
  return html`<form method="post" action="/ui/namespaces" class="form-grid" id="namespace-form">
<label for="ns-name">Name</label><div><input id="ns-name" name="name" required maxlength="63" value="${name}" placeholder="staging">
<div class="hint">A DNS-1123 label: a-z, 0-9 and '-', at most 63.</div>${problemOf('name')}</div>
<label for="ns-labels">Labels</label><div><textarea id="ns-labels" name="labels" rows="2" placeholder="team=payments">${labels}</textarea>${problemOf('labels')}</div>
<label for="ns-annotations">Annotations</label><div><textarea id="ns-annotations" name="annotations" rows="2">${annotations}</textarea>${problemOf('annotations')}</div>
<span></span><div><button type="submit" class="primary" id="create-namespace">Create namespace</button></div>
</form>`
}

async function create(c: Context, ui: UiContext): Promise<Response> {
  const form = await c.req.parseBody()
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '')
  const name = text('name').trim()
  const problems: FormProblem[] = []
  const labels = parsePairs(text('labels'), 'labels', problems)
  const annotations = parsePairs(text('annotations'), 'annotations', problems)
  const again = (message: string, status: 400 | 403 | 409) =>
    ui.render(c, {
      title: 'Namespaces',
      nav: 'namespaces',
      status,
      body: html`<h1>Namespaces</h1><div class="flash error" role="alert" id="refusal">${message}</div>
<h2>Create a namespace</h2>${createForm(name, text('labels'), text('annotations'), problems)}
<p><a href="/ui/namespaces">All namespaces</a></p>`,
    })
  if (problems.length > 0) return again('Fix the fields below.', 400)
  const answer = await ui.api(c, 'POST', '/system/namespace/', {
    name,
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  })
  if (!answer.ok) {
    const status = answer.status === 403 ? 403 : answer.status === 409 ? 409 : 400
    return again(`Not created: ${answer.text || answer.status}`, status)
  }
  setFlash(c, { kind: 'info', text: `Created namespace ${name}.` })
  return c.redirect('/ui/namespaces', 303)
}

async function remove(c: Context, ui: UiContext): Promise<Response> {
  const name = c.req.param('namespace') ?? ''
  const form = await c.req.parseBody()
  if (form.confirm !== name) {
    setFlash(c, { kind: 'error', text: `Not deleted: type the namespace's name (${name}) to confirm.` })
    return c.redirect('/ui/namespaces', 303)
  }
  const answer = await ui.api(c, 'DELETE', `/system/namespace/${enc(name)}`)
  setFlash(
    c,
    answer.ok
      ? { kind: 'info', text: `Deleted namespace ${name}.` }
      : { kind: 'error', text: `Delete refused: ${answer.text || answer.status}` },
  )
  return c.redirect('/ui/namespaces', 303)
}

export const namespacesPage: UiPage = {
  routes: [
    { method: 'GET', path: '/ui/namespaces', scope: 'read', where: 'cluster', handler: list },
    { method: 'POST', path: '/ui/namespaces', scope: 'admin', where: 'cluster', handler: create },
    {
      method: 'POST',
      path: '/ui/namespaces/:namespace/delete',
      scope: 'admin',
      where: 'cluster',
      handler: remove,
    },
  ],
}
