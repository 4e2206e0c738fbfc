/**
 * @module
 * The rules of `POST /async-function/{name}[.{ns}][/{rest}]`, written once for every transport: the
 * Hono route (src/api/async.ts, every runtime) and Node's native door (src/runtime/node/native-async.ts,
 * on node:http's own objects, no Web `Request`/`Response` built per call). Check the function exists
 * (404, not the 202 OpenFaaS CE gives), its invoke auth, the callback URL (400) and the body size (413),
 * record the call and enqueue it durably, then say what to answer: 202 with `X-Call-Id` and
 * `X-Start-Time`. Refusals are thrown as ApiError; the gate's own refusal comes back as its Response.
 */

import { isImpersonationHeader } from '../access/invocation-gate.ts'
import { bytesToBase64 } from '../base64.ts'
import { newCallId } from '../calls/call-id.ts'
import { connectionOptions, HOP_BY_HOP_HEADERS, isHopByHop } from '../contract/hop-by-hop.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { HeaderReader } from '../http/header-map.ts'
import { addressAllowed, checkCallbackUrl, hostAllowed, hostOf } from '../queue/callback-policy.ts'
import { type EnqueueOutcome, enqueueCall } from '../queue/enqueue-call.ts'
import { queueOf } from '../queue/queue-name.ts'
import type { CallRecord, QueueDriver } from '../queue/types.ts'
import { parseFunctionPath } from '../routing/function-path.ts'

export const ASYNC_PREFIX = '/async-function/'

/**
 * Not stored with the call: connection-level headers, those the worker's request sets itself, and the
 * caller's credentials. A queued call sits in the store or the queue (NATS, SQS) for as long as it waits,
 * plus in the dead-letter list, in clear: `Authorization` and `Cookie` there would outlive the caller's
 * session and leak with any backup. `/async-function` is public, so nothing checks them on the way in, and
 * the function gets the call without them (docs/compatibility.md). `Proxy-Authorization` is hop-by-hop.
 */
const NOT_STORED = new Set([...HOP_BY_HOP_HEADERS, 'host', 'content-length', 'authorization', 'cookie'])
/**
 * A call id is the one path segment that names the call afterwards (`GET /system/calls/{id}`, `DELETE
 * /async-function/{id}`): visible ASCII but `/` and `\`, which no path segment can carry (encoded
 * separators are refused, and URL parsers read `\` as `/`), so every accepted id can be looked up
 * and cancelled.
 */
const CALL_ID = /^[\x21-\x2e\x30-\x5b\x5d-\x7e]{1,128}$/

/** A submission as a transport hands it over: the checked path, the caller's headers, a body reader. */
export interface AsyncSubmission {
  /** The request path, already checked (src/routing/clean-path.ts). */
  pathname: string
  /** `?…` or empty. */
  search: string
  /** Lower-case names, repeated fields joined with `, `, as Web `Headers` reads them. */
  headers: HeaderReader & { forEach(callback: (value: string, name: string) => void): void }
  /** Reads the body whole, throwing 413 past `limit` bytes (and 400 when the caller leaves mid-body). */
  readBody(limit: number): Promise<Uint8Array>
}

/** What to answer: 202 with these headers. */
export interface AsyncAccepted {
  callId: string
  startTime: string
}

export async function submitAsyncCall(
  deps: GatewayDeps,
  submission: AsyncSubmission,
): Promise<AsyncAccepted | Response> {
  const queue = requireQueue(deps)
  const { pathname, search, headers: callerHeaders } = submission
  const target = parseFunctionPath(pathname, ASYNC_PREFIX, deps.config.defaultNamespace)
  if (!target) throw new ApiError('NOT_FOUND', 'error finding function: no such function')
  const fn = await deps.routes.get(target.namespace, target.name)
  if (!fn)
    throw new ApiError('NOT_FOUND', `error finding function ${target.name}.${target.namespace}: not found`)
  // The function's invoke auth, checked now: the stored call keeps no credentials for the worker.
  const admitted = await deps.access.gate.admitSubmit(fn, { headers: callerHeaders }, search)
  if (admitted instanceof Response) return admitted
  const callbackUrl = await checkCallback(deps, callerHeaders.get('x-callback-url') ?? undefined)
  const body = await submission.readBody(deps.config.asyncMaxBodyBytes)

  const callId = callerHeaders.get('x-call-id') || newCallId()
  if (!CALL_ID.test(callId)) {
    throw new ApiError(
      'BAD_REQUEST',
      'X-Call-Id must be 1 to 128 visible ASCII characters other than / and \\ (it names the call in /system/calls/{id}); send a UUID, or none for one made for you',
    )
  }
  const startTime = `${Date.now()}000000`
  const headers: Array<[string, string]> = []
  // Headers the caller's Connection names are hop-by-hop too; Connection itself is not stored, so they
  // must be dropped now or the worker could no longer tell them apart.
  const listed = connectionOptions(callerHeaders.get('connection') ?? undefined)
  callerHeaders.forEach((value, name) => {
    if (
      !NOT_STORED.has(name) &&
      !isHopByHop(name, listed) &&
      name !== 'x-call-id' &&
      name !== 'x-start-time' &&
      !(admitted.stored && isImpersonationHeader(name))
    )
      headers.push([name, value])
  })
  if (admitted.stored) headers.push(...admitted.stored)
  headers.push(['x-call-id', callId], ['x-start-time', startTime])
  const record: CallRecord = {
    id: callId,
    queue: queueOf(fn.spec.annotations),
    namespace: fn.namespace,
    function: fn.name,
    method: 'POST',
    path: target.rest,
    query: (admitted.search ?? search).replace(/^\?/, ''),
    headers,
    body: bytesToBase64(body),
    callbackUrl,
    enqueuedAt: Date.now(),
  }
  let outcome: EnqueueOutcome
  try {
    outcome = await enqueueCall(deps.store, queue, record)
  } catch (error) {
    throw new ApiError('UNAVAILABLE', 'the call could not be queued; try again', { cause: error })
  }
  if (outcome === 'exists') {
    throw new ApiError('CONFLICT', 'a call with this X-Call-Id already exists; send a new id or none')
  }
  return { callId, startTime }
}

function requireQueue(deps: GatewayDeps): QueueDriver {
  if (!deps.queue)
    throw new ApiError('NOT_IMPLEMENTED', 'asynchronous invocation is not configured on this gateway')
  return deps.queue
}

/** The callback URL if allowed; 400 naming the problem otherwise. Names are resolved and every address checked. */
async function checkCallback(deps: GatewayDeps, header: string | undefined): Promise<string | null> {
  if (header === undefined || header === '') return null
  const verdict = checkCallbackUrl(header, deps.config.callbackPolicy)
  if (!verdict.ok) throw new ApiError('BAD_REQUEST', verdict.reason)
  const host = hostOf(verdict.url)
  if (!hostAllowed(host, deps.config.callbackPolicy) && deps.resolveHost && !/^[\d.]+$|:/.test(host)) {
    let addresses: string[]
    try {
      addresses = await deps.resolveHost(host)
    } catch {
      throw new ApiError('BAD_REQUEST', 'X-Callback-Url host cannot be resolved')
    }
    if (addresses.length === 0 || !addresses.every((a) => addressAllowed(a, deps.config.callbackPolicy))) {
      throw new ApiError(
        'BAD_REQUEST',
        'X-Callback-Url resolves to a private, loopback, link-local or reserved address',
      )
    }
  }
  return verdict.url.toString()
}
