/**
 * @module
 * Async call control (our extension, under the default-deny `/system/`): recent calls (last change
 * first, paged, by namespace, function and status), a call's status by id, and the dead-letter list:
 * list (newest first, paged), inspect, replay (enqueue again with its call id), delete.
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { CallStateRecord, CallStatus, DeadLetterRecord } from '../store/types.ts'
import { methodNotAllowed } from './responses.ts'

const CALL_STATUSES: readonly CallStatus[] = ['queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled']

export function registerCallRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/calls', async (c) => {
    const limit = pageLimit(c.req.query('limit'))
    const status = c.req.query('status')
    if (status !== undefined && !CALL_STATUSES.includes(status as CallStatus)) {
      throw new ApiError('BAD_REQUEST', `status must be one of ${CALL_STATUSES.join(', ')}`)
    }
    const namespace = c.req.query('namespace')
    const fn = c.req.query('function')
    const after = c.req.query('after')
    const page = await withCursor(() =>
      deps.store.listCalls({
        limit,
        ...(namespace ? { namespace } : {}),
        ...(fn ? { function: fn } : {}),
        ...(status ? { status: status as CallStatus } : {}),
        ...(after ? { after } : {}),
      }),
    )
    return c.json({ items: page.items.map(callToWire), next: page.next })
  })
  app.all('/system/calls', methodNotAllowed)

  app.get('/system/calls/:id', async (c) => {
    const call = await deps.store.getCall(c.req.param('id'))
    if (!call) throw new ApiError('NOT_FOUND', 'no call with this id')
    return c.json(callToWire(call))
  })
  app.all('/system/calls/:id', methodNotAllowed)

  app.get('/system/dead-letters', async (c) => {
    const limit = pageLimit(c.req.query('limit'))
    const namespace = c.req.query('namespace')
    const fn = c.req.query('function')
    const after = c.req.query('after')
    const page = await withCursor(() =>
      deps.store.listDeadLetters({
        limit,
        ...(namespace ? { namespace } : {}),
        ...(fn ? { function: fn } : {}),
        ...(after ? { after } : {}),
      }),
    )
    return c.json({ items: page.items.map((d) => deadLetterToWire(d, false)), next: page.next })
  })
  app.all('/system/dead-letters', methodNotAllowed)

  app.get('/system/dead-letters/:id', async (c) => {
    const dead = await deps.store.getDeadLetter(c.req.param('id'))
    if (!dead) throw new ApiError('NOT_FOUND', 'no dead letter with this id')
    return c.json(deadLetterToWire(dead, true))
  })

  app.post('/system/dead-letters/:id/replay', async (c) => {
    if (!deps.queue)
      throw new ApiError('NOT_IMPLEMENTED', 'asynchronous invocation is not configured on this gateway')
    const id = c.req.param('id')
    const dead = await deps.store.getDeadLetter(id)
    if (!dead) throw new ApiError('NOT_FOUND', 'no dead letter with this id')
    await deps.store.updateCall(id, { status: 'queued', attempts: 0, lastStatus: null, lastError: null })
    await deps.queue.enqueue({ ...dead.record, enqueuedAt: Date.now() })
    await deps.store.deleteDeadLetter(id)
    return c.body(null, 202, { 'X-Call-Id': id })
  })
  app.all('/system/dead-letters/:id/replay', methodNotAllowed)

  app.delete('/system/dead-letters/:id', async (c) => {
    if (!(await deps.store.deleteDeadLetter(c.req.param('id'))))
      throw new ApiError('NOT_FOUND', 'no dead letter with this id')
    return c.body(null, 202)
  })
  app.all('/system/dead-letters/:id', methodNotAllowed)
}

function pageLimit(text = '100'): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
    throw new ApiError('BAD_REQUEST', 'limit must be a whole number from 1 to 1000')
  }
  return Number(text)
}

/** A listing with an `after` cursor the store did not hand out is the client's mistake: 400. */
async function withCursor<T>(list: () => Promise<T>): Promise<T> {
  try {
    return await list()
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidCursorError') {
      throw new ApiError('BAD_REQUEST', 'after must be the next cursor of a previous page')
    }
    throw error
  }
}

function callToWire(call: CallStateRecord) {
  return {
    id: call.id,
    function: call.function,
    namespace: call.namespace,
    queue: call.queue,
    status: call.status,
    attempts: call.attempts,
    lastStatus: call.lastStatus,
    lastError: call.lastError,
    createdAt: call.createdAt.toISOString(),
    updatedAt: call.updatedAt.toISOString(),
  }
}

function deadLetterToWire(dead: DeadLetterRecord, withRequest: boolean) {
  const { record } = dead
  return {
    id: dead.id,
    function: dead.function,
    namespace: dead.namespace,
    queue: record.queue,
    attempts: dead.attempts,
    lastStatus: dead.lastStatus,
    lastError: dead.lastError,
    callbackUrl: record.callbackUrl,
    createdAt: dead.createdAt.toISOString(),
    ...(withRequest
      ? {
          request: {
            method: record.method,
            path: record.path,
            query: record.query,
            headers: record.headers,
            body: record.body,
          },
        }
      : {}),
  }
}
