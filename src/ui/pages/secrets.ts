/**
 * @module
 * `/ui/secrets?namespace=`: the secrets of a namespace, by name only — values are never read back, not
 * by the API and not here — with the functions that mount each one. Writes, each through the REST API
 * in-process (`/system/secrets`, the `secrets` scope) behind the cross-site check:
 *
 * - create or replace (`POST /ui/secrets/:namespace`): a name and a value; `replace` set means update
 *   (PUT), else create (POST, 409 when it exists). The value is never put back into the page, also not
 *   when the API refuses it: the form comes back with the name and the API's message only.
 * - delete (`POST /ui/secrets/:namespace/:name/delete`), confirmed by typing the name.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import { apiRead, pageStatus, queryOf, queryParam, refusal } from '../api-read.ts'
import { setFlash } from '../flash.ts'
import type { Markup } from '../layout.ts'
import { namespacePicker, visibleNamespaces } from '../ns-picker.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage } from './types.ts'

const secretsPath = (namespace: string) => `/ui/secrets${queryOf({ namespace })}`

async function list(c: Context, ui: UiContext): Promise<Response> {
  const namespace = queryParam(c, 'namespace') ?? ui.deps.config.defaultNamespace
  const [read, names] = await Promise.all([
    apiRead<Array<{ name: string; namespace: string }>>(c, ui, `/system/secrets${queryOf({ namespace })}`),
    visibleNamespaces(c, ui),
  ])
  const picker = namespacePicker('/ui/secrets', namespace, names)
  if (!read.ok) {
    return ui.render(c, {
      title: 'Secrets',
      nav: 'secrets',
      status: pageStatus(read.status),
      body: refusal('Secrets', read.message, picker),
    })
  }
  // Which functions mount each secret: a secret in use is worth a second look before deleting it.
  const users = new Map<string, string[]>()
  for (const fn of await ui.deps.store.listFunctions(namespace)) {
    for (const secret of fn.spec.secrets ?? []) users.set(secret, [...(users.get(secret) ?? []), fn.name])
  }
  const secrets = [...read.data].sort((a, b) => (a.name < b.name ? -1 : 1))
  const action = `/ui/secrets/${encodeURIComponent(namespace)}`
  return ui.render(c, {
    title: 'Secrets',
    nav: 'secrets',
    body: html`<div class="toolbar"><h1 class="grow">Secrets <span class="muted small">in ${namespace}</span></h1>${picker}</div>
${
  secrets.length === 0
    ? html`<p class="muted" id="no-secrets">No secrets in ${namespace}.</p>`
    : html`<table class="grid" id="secrets">
<thead><tr><th>Name</th><th>Used by</th><th>Delete</th></tr></thead>
<tbody>${secrets.map((s) => row(namespace, s.name, users.get(s.name) ?? []))}</tbody></table>`
}
<h2>Create or replace a secret</h2>
<form method="post" action="${action}" class="form-grid" id="secret-form" autocomplete="off">
<label for="secret-name">Name</label><div><input id="secret-name" name="name" required maxlength="253" pattern="[a-z0-9]([\\-a-z0-9.]*[a-z0-9])?" placeholder="api-key">
<div class="hint">Lower-case letters, digits, '-' and '.'. Functions mount it at /var/openfaas/secrets/&lt;name&gt;.</div></div>
<label for="secret-value">Value</label><div><textarea id="secret-value" name="value" rows="3" required spellcheck="false" autocomplete="off"></textarea>
<div class="hint">Encrypted before it is stored; it cannot be shown again.</div></div>
<span></span><label class="small"><input type="checkbox" name="replace" value="yes"> Replace the value if the secret exists</label>
<span></span><div><button type="submit" class="primary" id="save-secret">Save secret</button></div>
</form>
<p class="muted small">Values are never shown, here or through the API. Functions that mount a secret read the
new value when their replicas restart.</p>`,
  })
}

function row(namespace: string, name: string, usedBy: string[]): Markup {
  return html`<tr data-secret="${name}">
<td class="mono">${name}</td>
<td class="small">${
    usedBy.length === 0
      ? html`<span class="muted">no function</span>`
      : usedBy.map((fn, i) => html`${i > 0 ? ', ' : ''}<a href="${functionPath(namespace, fn)}">${fn}</a>`)
  }</td>
<td><form method="post" action="/ui/secrets/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/delete" class="inline" data-confirm="Delete secret ${name} from ${namespace}?${usedBy.length > 0 ? ` ${usedBy.length} function(s) mount it.` : ''}">
<input name="confirm" aria-label="Type the name to confirm" placeholder="type ${name}" size="14" required>
<button type="submit" class="danger">Delete</button></form></td>
</tr>`
}

async function save(c: Context, ui: UiContext): Promise<Response> {
  const namespace = c.req.param('namespace') ?? ''
  const form = await c.req.parseBody()
  const name = typeof form.name === 'string' ? form.name.trim() : ''
  const value = typeof form.value === 'string' ? form.value : ''
  const replace = form.replace === 'yes'
  const answer = await ui.api(c, replace ? 'PUT' : 'POST', `/system/secrets${queryOf({ namespace })}`, {
    name,
    namespace,
    value,
  })
  // The API's message names what to fix; the value is not echoed, whatever happened.
  setFlash(
    c,
    answer.ok
      ? { kind: 'info', text: `${replace ? 'Replaced' : 'Created'} secret ${name} in ${namespace}.` }
      : { kind: 'error', text: `Secret not saved: ${answer.text || answer.status}` },
  )
  return c.redirect(secretsPath(namespace), 303)
}

async function remove(c: Context, ui: UiContext): Promise<Response> {
  const namespace = c.req.param('namespace') ?? ''
  const name = c.req.param('name') ?? ''
  const form = await c.req.parseBody()
  if (form.confirm !== name) {
    setFlash(c, { kind: 'error', text: `Not deleted: type the secret's name (${name}) to confirm.` })
    return c.redirect(secretsPath(namespace), 303)
  }
  const answer = await ui.api(c, 'DELETE', `/system/secrets${queryOf({ namespace })}`, { name, namespace })
  setFlash(
    c,
    answer.ok
      ? { kind: 'info', text: `Deleted secret ${name} from ${namespace}.` }
      : { kind: 'error', text: `Delete refused: ${answer.text || answer.status}` },
  )
  return c.redirect(secretsPath(namespace), 303)
}

export const secretsPage: UiPage = {
  routes: [
    // Even the names need the `secrets` scope, as GET /system/secrets does.
    { method: 'GET', path: '/ui/secrets', scope: 'secrets', where: 'request', handler: list },
    { method: 'POST', path: '/ui/secrets/:namespace', scope: 'secrets', where: 'request', handler: save },
    {
      method: 'POST',
      path: '/ui/secrets/:namespace/:name/delete',
      scope: 'secrets',
      where: 'request',
      handler: remove,
    },
  ],
}
