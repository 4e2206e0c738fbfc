/**
 * @module
 * `/system/backends`: the backends functions are placed on, as a resource. List and get (with this
 * gateway's view of each one's health and the number of functions placed on it), create (POST), replace
 * (PUT `/system/backends/{name}`) and delete. Credentials are sealed with the secrets key before they
 * reach the store and never shown again, only their type. The built-in `local` backend is listed but
 * cannot be created, changed or deleted here; a backend still hosting functions cannot be deleted.
 * Every write refreshes this gateway's provider registry at once; other gateways on the same store
 * follow within EDGEFAAS_ROUTE_CACHE_TTL_MS.
 */
import type { Context, Hono } from 'hono'
import { backendView, backendWrite, NO_TRAFFIC, type TrafficView } from '../backends/record.ts'
import {
  type BackendInput,
  backendInputSchema,
  kindProblem,
  LOCAL_BACKEND,
  namedBackendSchema,
} from '../backends/schema.ts'
import { isDns1123Label } from '../contract/names.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { BackendRecord, FunctionRecord } from '../store/types.ts'
import { readJson } from './body.ts'
import { methodNotAllowed } from './responses.ts'

const BACKEND =
  'a Backend such as {"name":"eu","kind":"openfaas","url":"https://gw.eu.example","credentials":{"username":"admin","password":"…"},"labels":{"region":"eu"}}'
/** Functions named in a 409; the rest are counted. */
const MAX_NAMED = 20

export function registerBackendRoutes(app: Hono, deps: GatewayDeps): void {
  const limit = deps.config.maxApiBodyBytes

  app.get('/system/backends', async (c) => {
    const [records, functions] = await Promise.all([deps.store.listBackends(), deps.store.listFunctions()])
    const routing = routingSnapshot(deps)
    return c.json(withBuiltins(deps, records).map((r) => view(deps, r, functions, routing)))
  })

  app.post('/system/backends', async (c) => {
    const input = await readJson(c, namedBackendSchema, limit, BACKEND)
    refuseBuiltin(deps, input.name, 'created')
    checkKind(deps, input)
    const write = await backendWrite(input.name, input, {
      cipher: deps.cipher,
      existing: null,
      keepOmittedCredentials: false,
    })
    if (!(await deps.store.createBackend(write))) {
      throw new ApiError(
        'CONFLICT',
        `backend "${input.name}" already exists; change it with PUT /system/backends/${input.name}`,
      )
    }
    return c.json(await afterWrite(deps, input.name, write.isDefault ?? false), 201)
  })

  app.all('/system/backends', methodNotAllowed)

  app.get('/system/backends/:name', async (c) => {
    const name = pathName(c)
    const [record, functions] = await Promise.all([deps.store.getBackend(name), deps.store.listFunctions()])
    const shown = record ?? withBuiltins(deps, []).find((r) => r.name === name)
    if (!shown) throw notFound(name)
    // One backend asked for: worth a fresh look at it (bounded by the probe deadline).
    await deps.providers.refresh()
    await deps.providers.probe(name)
    return c.json(view(deps, shown, functions))
  })

  app.put('/system/backends/:name', async (c) => {
    const name = pathName(c)
    const input = await readJson(c, backendInputSchema, limit, BACKEND)
    if (input.name !== undefined && input.name !== name) {
      throw new ApiError(
        'BAD_REQUEST',
        `validation failed: name: must be "${name}" as in the path, or left out (a backend cannot be renamed)`,
      )
    }
    refuseBuiltin(deps, name, 'changed')
    checkKind(deps, input)
    const existing = await deps.store.getBackend(name)
    if (!existing) throw notFound(name)
    const write = await backendWrite(name, input, {
      cipher: deps.cipher,
      existing,
      keepOmittedCredentials: true,
    })
    if (!(await deps.store.replaceBackend(write))) throw notFound(name)
    return c.json(await afterWrite(deps, name, write.isDefault ?? false))
  })

  app.delete('/system/backends/:name', async (c) => {
    const name = pathName(c)
    refuseBuiltin(deps, name, 'deleted')
    if (!(await deps.store.getBackend(name))) throw notFound(name)
    const hosted = (await deps.store.listFunctions()).filter((f) => f.placement.includes(name))
    if (hosted.length > 0) {
      const named = hosted.slice(0, MAX_NAMED).map((f) => `${f.name}.${f.namespace}`)
      const more = hosted.length > MAX_NAMED ? ` and ${hosted.length - MAX_NAMED} more` : ''
      throw new ApiError(
        'CONFLICT',
        `backend "${name}" still hosts ${hosted.length} function${hosted.length > 1 ? 's' : ''}: ${named.join(', ')}${more}; place them elsewhere (edgefaas.dev/backends) or remove them first`,
      )
    }
    if (!(await deps.store.deleteBackend(name))) throw notFound(name)
    await deps.providers.refresh()
    return c.body(null, 204)
  })

  app.all('/system/backends/:name', methodNotAllowed)
}

/** After a create or replace: at most one default, this gateway's registry up to date, the view. */
async function afterWrite(deps: GatewayDeps, name: string, isDefault: boolean) {
  if (isDefault) await deps.store.clearDefaultBackends(name)
  await deps.providers.refresh()
  const [record, functions] = await Promise.all([deps.store.getBackend(name), deps.store.listFunctions()])
  if (!record) throw notFound(name)
  return view(deps, record, functions)
}

function view(
  deps: GatewayDeps,
  record: BackendRecord,
  functions: FunctionRecord[],
  routing: RoutingSnapshot = routingSnapshot(deps),
) {
  return backendView(record, {
    builtin: isBuiltin(deps, record.name),
    functions: functions.filter((f) => f.placement.includes(record.name)).length,
    health: deps.providers.health(record.name),
    traffic: trafficOf(routing, record.name),
  })
}

type RoutingSnapshot = {
  health: ReturnType<GatewayDeps['router']['health']>
  load: ReturnType<GatewayDeps['router']['load']>
}

function routingSnapshot(deps: GatewayDeps): RoutingSnapshot {
  return { health: deps.router.health(), load: deps.router.load() }
}

/** The router's view of a backend: what this gateway's own calls saw (not the control-plane probe). */
function trafficOf(routing: RoutingSnapshot, name: string): TrafficView {
  const health = routing.health.get(name)
  const load = routing.load.get(name)
  if (!health && !load) return NO_TRAFFIC
  return {
    state: health?.state ?? null,
    consecutiveFailures: health?.consecutiveFailures ?? 0,
    ejectedUntil: health?.ejectedUntil == null ? null : new Date(health.ejectedUntil).toISOString(),
    lastError: health?.lastError ?? null,
    inflight: load?.inflight ?? 0,
    peakLatencyMs: Math.round(load?.peakCostMs ?? 0),
  }
}

/** Built-in backends this gateway knows that have no row (`local` seen from workerd) are listed too. */
function withBuiltins(deps: GatewayDeps, records: BackendRecord[]): BackendRecord[] {
  const stored = new Set(records.map((r) => r.name))
  const epoch = new Date(0)
  const extra = deps.providers
    .backends()
    .filter((b) => b.builtin && !stored.has(b.name))
    .map(
      (b): BackendRecord => ({
        name: b.name,
        kind: b.kind,
        config: {},
        labels: b.labels,
        isDefault: b.isDefault,
        credentials: null,
        createdAt: epoch,
        updatedAt: epoch,
      }),
    )
  return [...records, ...extra].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

function isBuiltin(deps: GatewayDeps, name: string): boolean {
  return name === LOCAL_BACKEND || deps.providers.backends().some((b) => b.name === name && b.builtin)
}

function refuseBuiltin(deps: GatewayDeps, name: string, what: 'created' | 'changed' | 'deleted'): void {
  if (!isBuiltin(deps, name)) return
  throw new ApiError(
    'CONFLICT',
    `backend "${name}" is built into the gateway (the local provider) and cannot be ${what} through the API; choose another name for a remote backend`,
  )
}

function checkKind(deps: GatewayDeps, input: BackendInput): void {
  const problem = kindProblem(input, deps.config.defaultNamespace)
  if (problem) throw new ApiError('BAD_REQUEST', `validation failed: ${problem}`)
}

function pathName(c: Context): string {
  const name = c.req.param('name') ?? ''
  if (!isDns1123Label(name)) throw new ApiError('NOT_FOUND', 'backend (invalid name) not found')
  return name
}

function notFound(name: string): ApiError {
  return new ApiError('NOT_FOUND', `backend "${name}" not found; list them with GET /system/backends`)
}
