/**
 * @module
 * Deploy (`/ui/deploy/:namespace`) and edit (`/ui/functions/:namespace/:name/edit`) a function: image,
 * fprocess, env, labels, annotations, secrets and placement (the `edgefaas.dev/backends` annotation). The
 * POST builds a FunctionDeployment and sends it to `POST`/`PUT /system/functions` in-process with the
 * caller's credentials; a refusal re-renders the form with what was typed and the API's message next to
 * the field it is about.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { FunctionDeployment } from '../../contract/types.ts'
import { BACKENDS_ANNOTATION } from '../../routing/placement.ts'
import type { FunctionRecord } from '../../store/types.ts'
import { setFlash } from '../flash.ts'
import { type FormProblem, fieldOfMessage, formatPairs, parseList, parsePairs } from '../form-fields.ts'
import type { Markup } from '../layout.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage } from './types.ts'

interface FormValues {
  service: string
  image: string
  envProcess: string
  envVars: string
  labels: string
  annotations: string
  secrets: string
  placement: string
}

const EMPTY: FormValues = {
  service: '',
  image: '',
  envProcess: '',
  envVars: '',
  labels: '',
  annotations: '',
  secrets: '',
  placement: '',
}

function valuesOf(fn: FunctionRecord): FormValues {
  const { spec } = fn
  return {
    service: fn.name,
    image: spec.image,
    envProcess: spec.envProcess ?? '',
    envVars: formatPairs(spec.envVars),
    labels: formatPairs(spec.labels),
    annotations: formatPairs(spec.annotations, [BACKENDS_ANNOTATION]),
    secrets: (spec.secrets ?? []).join(', '),
    placement: spec.annotations?.[BACKENDS_ANNOTATION] ?? '',
  }
}

async function backendNames(c: Context, ui: UiContext): Promise<string[]> {
  const answer = await ui.api(c, 'GET', '/system/backends')
  if (!answer.ok) return []
  try {
    const list: unknown = JSON.parse(answer.text)
    if (!Array.isArray(list)) return []
    return list
      .map((b: unknown) =>
        b && typeof b === 'object' && 'name' in b ? String((b as { name: unknown }).name) : '',
      )
      .filter((n) => n !== '')
  } catch {
    return []
  }
}

function fieldError(problems: FormProblem[], field: string): Markup {
  const mine = problems.filter((p) => p.field === field)
  return html`${mine.map((p) => html`<div class="field-error" data-error-for="${field}">${p.message}</div>`)}`
}

async function renderForm(
  c: Context,
  ui: UiContext,
  namespace: string,
  editing: string | null,
  values: FormValues,
  problems: FormProblem[],
  status: 200 | 400 | 404 | 409 | 422 | 500 | 502 | 503 = 200,
): Promise<Response> {
  const backends = await backendNames(c, ui)
  const action = editing
    ? functionPath(namespace, editing, '/edit')
    : `/ui/deploy/${encodeURIComponent(namespace)}`
  const area = (name: keyof FormValues, rows: number, hint: string) => html`<div>
<textarea name="${name}" id="f-${name}" rows="${rows}">${values[name]}</textarea>
<div class="hint">${hint}</div>${fieldError(problems, name)}</div>`
  return ui.render(c, {
    title: editing ? `Edit ${editing}` : 'Deploy a function',
    nav: 'functions',
    status,
    body: html`<h1>${editing ? html`Edit <span class="mono">${editing}</span>` : 'Deploy a function'} <span class="muted small">in ${namespace}</span></h1>
${problems.length > 0 ? html`<div class="flash error" role="alert" id="form-errors">${problems.map((p) => html`<div>${p.message}</div>`)}</div>` : ''}
<form method="post" action="${action}" id="function-form">
<div class="form-grid">
<label for="f-service">Name</label>
<div><input name="service" id="f-service" value="${values.service}" required maxlength="63" ${editing ? html`readonly` : ''} size="40">
<div class="hint">A DNS label: lowercase letters, digits and "-".</div>${fieldError(problems, 'service')}</div>
<label for="f-image">Image</label>
<div><input name="image" id="f-image" value="${values.image}" required size="60" placeholder="ghcr.io/openfaas/alpine:latest">${fieldError(problems, 'image')}</div>
<label for="f-envProcess">fprocess</label>
<div><input name="envProcess" id="f-envProcess" value="${values.envProcess}" size="60" placeholder="cat">
<div class="hint">The command the watchdog runs per call.</div>${fieldError(problems, 'envProcess')}</div>
<label for="f-envVars">Environment</label>${area('envVars', 3, 'KEY=VALUE, one per line.')}
<label for="f-labels">Labels</label>${area('labels', 3, 'KEY=VALUE, one per line (com.openfaas.scale.min=0, …).')}
<label for="f-annotations">Annotations</label>${area('annotations', 3, 'KEY=VALUE, one per line.')}
<label for="f-secrets">Secrets</label>
<div><input name="secrets" id="f-secrets" value="${values.secrets}" size="60" placeholder="api-key, db-password">
<div class="hint">Secret names in ${namespace}, separated by commas.</div>${fieldError(problems, 'secrets')}</div>
<label for="f-placement">Placement</label>
<div><input name="placement" id="f-placement" value="${values.placement}" size="60" placeholder="default backend">
<div class="hint">Backends and weights (${backends.length > 0 ? backends.join(', ') : 'none listed'}), e.g. <code>local=80,eu=20</code>, or <code>selector:region=eu</code>. Empty: the default backend.</div>${fieldError(problems, 'placement')}</div>
<span></span>
<div><button type="submit" class="primary" id="f-submit">${editing ? 'Save and redeploy' : 'Deploy'}</button>
<a class="button" href="${editing ? functionPath(namespace, editing) : `/ui/functions?namespace=${encodeURIComponent(namespace)}`}">Cancel</a></div>
</div>
</form>`,
  })
}

async function readValues(c: Context): Promise<FormValues> {
  const form = await c.req.parseBody()
  const text = (key: keyof FormValues) => {
    const v = form[key]
    return typeof v === 'string' ? v : ''
  }
  return {
    service: text('service').trim(),
    image: text('image').trim(),
    envProcess: text('envProcess').trim(),
    envVars: text('envVars'),
    labels: text('labels'),
    annotations: text('annotations'),
    secrets: text('secrets'),
    placement: text('placement').trim(),
  }
}

function toDeployment(values: FormValues, namespace: string, problems: FormProblem[]): FunctionDeployment {
  const annotations = parsePairs(values.annotations, 'annotations', problems) ?? {}
  if (values.placement) annotations[BACKENDS_ANNOTATION] = values.placement
  else delete annotations[BACKENDS_ANNOTATION]
  const deployment: FunctionDeployment = {
    service: values.service,
    image: values.image,
    namespace,
    labels: parsePairs(values.labels, 'labels', problems) ?? {},
    annotations,
    secrets: parseList(values.secrets),
  }
  if (values.envProcess) deployment.envProcess = values.envProcess
  const env = parsePairs(values.envVars, 'envVars', problems)
  if (env) deployment.envVars = env
  return deployment
}

async function submit(c: Context, ui: UiContext, editing: string | null): Promise<Response> {
  const namespace = c.req.param('namespace') ?? ''
  const values = await readValues(c)
  if (editing) values.service = editing
  const problems: FormProblem[] = []
  const deployment = toDeployment(values, namespace, problems)
  if (editing) {
    // What the form does not show is kept: PUT replaces the whole spec.
    const current = await ui.deps.store.getFunction(namespace, editing)
    if (!current) return notFoundPage(c, ui, namespace, editing)
    const { constraints, limits, requests, readOnlyRootFilesystem } = current.spec
    Object.assign(deployment, {
      ...(constraints ? { constraints } : {}),
      ...(limits ? { limits } : {}),
      ...(requests ? { requests } : {}),
      ...(readOnlyRootFilesystem ? { readOnlyRootFilesystem } : {}),
    })
  }
  if (problems.length > 0) return renderForm(c, ui, namespace, editing, values, problems, 400)
  const answer = await ui.api(c, editing ? 'PUT' : 'POST', '/system/functions', deployment)
  if (!answer.ok) {
    const message = answer.text || `the API answered ${answer.status}`
    const status = ([400, 404, 409, 422, 500, 502, 503] as const).find((s) => s === answer.status) ?? 400
    return renderForm(
      c,
      ui,
      namespace,
      editing,
      values,
      [{ field: fieldOfMessage(message) ?? '', message }],
      status,
    )
  }
  setFlash(c, {
    kind: 'info',
    text: `${editing ? 'Updated' : 'Deployed'} ${values.service} in ${namespace}.`,
  })
  return c.redirect(functionPath(namespace, values.service), 303)
}

export const functionFormPage: UiPage = {
  routes: [
    {
      method: 'GET',
      path: '/ui/deploy/:namespace',
      scope: 'read',
      where: 'request',
      handler: (c, ui) => renderForm(c, ui, c.req.param('namespace') ?? '', null, EMPTY, []),
    },
    {
      method: 'POST',
      path: '/ui/deploy/:namespace',
      scope: 'deploy',
      where: 'request',
      handler: (c, ui) => submit(c, ui, null),
    },
    {
      method: 'GET',
      path: '/ui/functions/:namespace/:name/edit',
      scope: 'read',
      where: 'request',
      async handler(c, ui) {
        const namespace = c.req.param('namespace') ?? ''
        const name = c.req.param('name') ?? ''
        const fn = await ui.deps.store.getFunction(namespace, name)
        if (!fn) return notFoundPage(c, ui, namespace, name)
        return renderForm(c, ui, namespace, name, valuesOf(fn), [])
      },
    },
    {
      method: 'POST',
      path: '/ui/functions/:namespace/:name/edit',
      scope: 'deploy',
      where: 'request',
      handler: (c, ui) => submit(c, ui, c.req.param('name') ?? ''),
    },
  ],
}

export function notFoundPage(c: Context, ui: UiContext, namespace: string, name: string): Promise<Response> {
  return ui.render(c, {
    title: 'Not found',
    nav: 'functions',
    status: 404,
    body: html`<h1>Not found</h1><p>No function <span class="mono">${name}</span> in namespace <span class="mono">${namespace}</span>. <a href="/ui/functions?namespace=${encodeURIComponent(namespace)}">Back to the list</a></p>`,
  })
}
