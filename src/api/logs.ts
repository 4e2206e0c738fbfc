/**
 * @module
 * `GET /system/logs`: the function's log lines as NDJSON, streamed from its backends (contract §1.5.10).
 * Query: `name` (required), `namespace`, `instance`, `tail` (≤0: all), `follow` (Go ParseBool), `since`
 * (RFC3339). A bad `tail`, `follow` or `since` is 422 `could not parse the log request`, as in faas-provider.
 */
import type { Hono } from 'hono'
import type { LogMessage, LogRequest } from '../contract/types.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { notFound } from './functions.ts'
import { mergeAsync } from './merge-async.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i

export function registerLogRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/logs', async (c) => {
    const name = c.req.query('name')
    if (!name) throw new ApiError('BAD_REQUEST', 'name is required: /system/logs?name=<function>')
    const namespace = await resolveNamespace(deps, c.req.query('namespace'))
    const request = parseLogRequest(name, namespace, c.req.query())
    const fn = await deps.store.getFunction(namespace, name)
    if (!fn) throw notFound(name, namespace)
    const providers = fn.placement.map((backend) => deps.providers.get(backend))
    if (providers.some((p) => !p?.capabilities.logs)) {
      throw new ApiError('NOT_IMPLEMENTED', `the backend of ${name}.${namespace} does not serve logs`)
    }
    const signal = c.req.raw.signal
    const lines = mergeAsync(providers.map((p) => p?.logs(request, signal) ?? empty()))
    const encoder = new TextEncoder()
    const iterator = lines[Symbol.asyncIterator]()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next()
        if (next.done) controller.close()
        else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
      },
      async cancel() {
        await iterator.return?.(undefined)
      },
    })
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' },
    })
  })
  app.all('/system/logs', methodNotAllowed)
}

function parseLogRequest(name: string, namespace: string, query: Record<string, string>): LogRequest {
  const unparsable = () => new ApiError('UNPROCESSABLE', 'could not parse the log request')
  const request: LogRequest = { name, namespace, follow: false }
  if (query.instance) request.instance = query.instance
  if (query.tail !== undefined && query.tail !== '') {
    if (!/^-?\d+$/.test(query.tail)) throw unparsable()
    request.tail = Number(query.tail)
  }
  if (query.follow !== undefined && query.follow !== '') {
    if (TRUE.has(query.follow)) request.follow = true
    else if (!FALSE.has(query.follow)) throw unparsable()
  }
  if (query.since !== undefined && query.since !== '') {
    const since = new Date(query.since)
    if (!RFC3339.test(query.since) || Number.isNaN(since.getTime())) throw unparsable()
    request.since = since
  }
  return request
}

async function* empty(): AsyncIterable<LogMessage> {}
