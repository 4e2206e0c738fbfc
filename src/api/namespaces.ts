/**
 * @module
 * `/system/namespaces` (list) and `/system/namespace/{ns}` (create, read, update, delete), as faasd and
 * go-sdk use them: create is `POST /system/namespace/` with the name in the body (201, 409 if it
 * exists), update 202, delete 202. The plural form the docs show for PUT/DELETE is accepted too.
 * Namespaces are real: a non-empty namespace cannot be deleted, nor can the default one.
 */
import type { Context, Hono } from 'hono'
import { isDns1123Label } from '../contract/names.ts'
import { functionNamespaceSchema } from '../contract/schemas.ts'
import type { FunctionNamespace } from '../contract/types.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { NamespaceRecord } from '../store/types.ts'
import { readJson } from './body.ts'
import { methodNotAllowed } from './responses.ts'

const NAMESPACE = 'a FunctionNamespace such as {"name":"staging","labels":{"openfaas":"1"}}'

export function registerNamespaceRoutes(app: Hono, deps: GatewayDeps): void {
  const limit = deps.config.maxApiBodyBytes

  app.get('/system/namespaces', async (c) => {
    const namespaces = await deps.store.listNamespaces()
    return c.json(namespaces.map((n) => n.name).sort())
  })

  const create = async (c: Context) => {
    const body = await readJson(c, functionNamespaceSchema, limit, NAMESPACE)
    const name = validName(c.req.param('ns') || body.name || '')
    if (body.name && body.name !== name)
      throw new ApiError('BAD_REQUEST', 'the name in the body must match the path')
    const created = await deps.store.createNamespace({
      name,
      labels: body.labels ?? {},
      annotations: body.annotations ?? {},
    })
    if (!created) throw new ApiError('CONFLICT', `namespace "${name}" already exists`)
    return c.body(null, 201)
  }

  const read = async (c: Context) => {
    const name = validName(c.req.param('ns') ?? '')
    const ns = await deps.store.getNamespace(name)
    if (!ns) throw namespaceNotFound(name)
    return c.json(toWire(ns))
  }

  const update = async (c: Context) => {
    const name = validName(c.req.param('ns') ?? '')
    const body = await readJson(c, functionNamespaceSchema, limit, NAMESPACE)
    if (body.name && body.name !== name)
      throw new ApiError('BAD_REQUEST', 'the name in the body must match the path')
    const updated = await deps.store.updateNamespace({
      name,
      labels: body.labels ?? {},
      annotations: body.annotations ?? {},
    })
    if (!updated) throw namespaceNotFound(name)
    return c.body(null, 202)
  }

  const remove = async (c: Context) => {
    const name = validName(c.req.param('ns') ?? '')
    if (name === deps.config.defaultNamespace) {
      throw new ApiError('BAD_REQUEST', `the default namespace "${name}" cannot be deleted`)
    }
    if (!(await deps.store.getNamespace(name))) throw namespaceNotFound(name)
    const functions = await deps.store.countFunctions(name)
    const secrets = (await deps.store.listSecrets(name)).length
    if (functions > 0 || secrets > 0) {
      throw new ApiError(
        'CONFLICT',
        `namespace "${name}" still holds ${functions} function(s) and ${secrets} secret(s); remove them first`,
      )
    }
    if (!(await deps.store.deleteNamespace(name))) throw namespaceNotFound(name)
    return c.body(null, 202)
  }

  app.post('/system/namespace/', create)
  app.post('/system/namespace/:ns', create)
  app.get('/system/namespace/:ns', read)
  app.put('/system/namespace/:ns', update)
  app.put('/system/namespaces/:ns', update)
  app.delete('/system/namespace/:ns', remove)
  app.delete('/system/namespaces/:ns', remove)
  app.all('/system/namespaces', methodNotAllowed)
  app.all('/system/namespace/', methodNotAllowed)
  app.all('/system/namespace/:ns', methodNotAllowed)
  app.all('/system/namespaces/:ns', methodNotAllowed)
}

function toWire(ns: NamespaceRecord): FunctionNamespace {
  return { name: ns.name, annotations: ns.annotations, labels: ns.labels }
}

function validName(name: string): string {
  if (!isDns1123Label(name)) {
    throw new ApiError(
      'BAD_REQUEST',
      'namespace name is invalid: it must be a DNS-1123 label (a-z, 0-9, -; at most 63)',
    )
  }
  return name
}

function namespaceNotFound(name: string): ApiError {
  return new ApiError('NOT_FOUND', `namespace "${name}" not found`)
}
