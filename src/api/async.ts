/**
 * @module
 * `POST /async-function/{name}[.{ns}][/{rest}]` through the app (every runtime; Node takes the plain
 * spellings on its native door first, src/runtime/node/native-async.ts): the rules are
 * src/api/async-submit.ts. `DELETE /async-function/{call-id}` cancels a call still queued (admin).
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { splitUrl } from '../routing/split-url.ts'
import { submitAsyncCall } from './async-submit.ts'
import { readBodyBytes } from './body.ts'
import { methodNotAllowed } from './responses.ts'

export function registerAsyncRoutes(app: Hono, deps: GatewayDeps): void {
  app.post('/async-function/:name{.+}', async (c) => {
    const { pathname, search } = splitUrl(c.req.url)
    const accepted = await submitAsyncCall(deps, {
      pathname,
      search,
      headers: c.req.raw.headers,
      readBody: (limit) => readBodyBytes(c, limit),
    })
    if (accepted instanceof Response) return accepted
    return c.body(null, 202, { 'X-Call-Id': accepted.callId, 'X-Start-Time': accepted.startTime })
  })

  app.delete('/async-function/:id', async (c) => {
    const id = c.req.param('id')
    if (await deps.store.cancelCall(id)) return c.body(null, 202)
    const call = await deps.store.getCall(id)
    if (!call) throw new ApiError('NOT_FOUND', 'no call with this id')
    throw new ApiError('CONFLICT', `the call is ${call.status}; only queued calls can be cancelled`)
  })

  app.all('/async-function/:name{.+}', methodNotAllowed)
}
