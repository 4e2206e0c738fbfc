/**
 * @module
 * The scale and delete forms of the function page. Both go through the REST API in-process with the
 * caller's credentials (`POST /system/scale-function/:name`, `DELETE /system/functions`), then redirect
 * with the outcome as a flash message (the API's own message when it refuses).
 */
import type { Context } from 'hono'
import { setFlash } from '../flash.ts'
import { functionPath } from '../paths.ts'
import type { UiContext, UiPage } from './types.ts'

function target(c: Context) {
  return { namespace: c.req.param('namespace') ?? '', name: c.req.param('name') ?? '' }
}

async function scale(c: Context, ui: UiContext): Promise<Response> {
  const { namespace, name } = target(c)
  const form = await c.req.parseBody()
  const text = typeof form.replicas === 'string' ? form.replicas.trim() : ''
  if (!/^\d{1,6}$/.test(text)) {
    setFlash(c, {
      kind: 'error',
      text: `replicas must be a whole number from 0 to ${ui.deps.config.maxReplicas}`,
    })
    return c.redirect(functionPath(namespace, name), 303)
  }
  const replicas = Number(text)
  const answer = await ui.api(
    c,
    'POST',
    `/system/scale-function/${encodeURIComponent(name)}?namespace=${encodeURIComponent(namespace)}`,
    { serviceName: name, namespace, replicas },
  )
  setFlash(
    c,
    answer.ok
      ? { kind: 'info', text: `Scaled ${name} to ${replicas} replica${replicas === 1 ? '' : 's'}.` }
      : { kind: 'error', text: `Scale refused: ${answer.text || answer.status}` },
  )
  return c.redirect(functionPath(namespace, name), 303)
}

async function remove(c: Context, ui: UiContext): Promise<Response> {
  const { namespace, name } = target(c)
  const form = await c.req.parseBody()
  if (form.confirm !== name) {
    setFlash(c, { kind: 'error', text: `Not deleted: confirm by sending the function's name (${name}).` })
    return c.redirect(functionPath(namespace, name), 303)
  }
  const answer = await ui.api(c, 'DELETE', `/system/functions?namespace=${encodeURIComponent(namespace)}`, {
    functionName: name,
    namespace,
  })
  if (!answer.ok) {
    setFlash(c, { kind: 'error', text: `Delete refused: ${answer.text || answer.status}` })
    return c.redirect(functionPath(namespace, name), 303)
  }
  setFlash(c, { kind: 'info', text: `Deleted ${name} from ${namespace}.` })
  return c.redirect(`/ui/functions?namespace=${encodeURIComponent(namespace)}`, 303)
}

export const functionActionsPage: UiPage = {
  routes: [
    {
      method: 'POST',
      path: '/ui/functions/:namespace/:name/scale',
      scope: 'deploy',
      where: 'request',
      handler: scale,
    },
    {
      method: 'POST',
      path: '/ui/functions/:namespace/:name/delete',
      scope: 'deploy',
      where: 'request',
      handler: remove,
    },
  ],
}
