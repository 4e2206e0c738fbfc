/**
 * @module
 * How one attempt on one backend ended, and whether the call may be sent again to another backend.
 * Pure rules, so they are tested as a table and written once.
 *
 * A call is resent only when it provably never reached the function, or provably cannot complete where
 * it went:
 * - the provider said NOT_FOUND or NOT_READY, which it does before touching the body;
 * - the connection was never made (`HttpTransportError.beforeSend`: refused, DNS, TLS handshake);
 * - the gateway in front of the function answered 404 itself (`X-OpenFaaS-Internal`);
 * - the connection was cut with no answer and the backend was then found gone together with the
 *   functions that run its calls (`crashed`, see Provider.crashedWithCalls): the attempt died with it;
 * or, for idempotent methods only, when that gateway answered 502/503 itself (the function may have
 * run, but running it twice is what an idempotent method allows). Never after a timeout, a reset
 * after the request was written on a backend still up, or any answer of the function's own. Resends after a connection or
 * backend failure are paid from the retry budget; NOT_FOUND and NOT_READY cost the backend nothing.
 */
import { ProviderError } from '../../providers/types.ts'
import { isInternalAnswer } from '../contract/internal-header.ts'
import { HttpTransportError } from '../http/client.ts'
import type { AttemptResult } from '../routing/router.ts'

/** What the rules read of an answer: its status (a Web `Response`, or a native transport's head). */
export interface Answer {
  readonly status: number
}

export type Outcome<R extends Answer = Response> =
  | { kind: 'response'; response: R; internal: boolean }
  | { kind: 'not-ready' }
  | { kind: 'not-found' }
  | {
      kind: 'unreachable'
      beforeSend: boolean
      /** Some byte of an answer had arrived before the connection failed (HttpTransportError.responseStarted). */
      responseStarted: boolean
      error: unknown
      /** The backend was found gone with the functions running its calls (Provider.crashedWithCalls). */
      crashed?: boolean
    }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'error'; error: unknown }

/** Methods a resend cannot change the effect of (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

export function responseOutcome(response: Response): Outcome {
  return answerOutcome(response, isInternalAnswer)
}

/** The outcome of an answer of any transport; `isInternal` reads its `X-OpenFaaS-Internal` header. */
export function answerOutcome<R extends Answer>(
  response: R,
  isInternal: (response: R) => boolean,
): Outcome<R> {
  // Only errors can be the gateway's own; a success skips the header lookup (hot path).
  return { kind: 'response', response, internal: response.status >= 400 && isInternal(response) }
}

/** The outcome of an attempt that threw; `timedOut` and `callerGone` say why the call was aborted. */
export function errorOutcome(error: unknown, timedOut: boolean, callerGone: boolean): Outcome<never> {
  if (timedOut) return { kind: 'timeout' }
  if (callerGone) return { kind: 'aborted' }
  if (ProviderError.is(error)) {
    if (error.code === 'NOT_READY') return { kind: 'not-ready' }
    if (error.code === 'NOT_FOUND') return { kind: 'not-found' }
    if (error.code === 'UNAVAILABLE') {
      const cause = error.cause
      const transport = HttpTransportError.is(cause) ? cause : null
      return {
        kind: 'unreachable',
        beforeSend: transport?.beforeSend ?? false,
        responseStarted: transport?.responseStarted ?? false,
        error,
      }
    }
    return { kind: 'error', error }
  }
  if (HttpTransportError.is(error))
    return {
      kind: 'unreachable',
      beforeSend: error.beforeSend,
      responseStarted: error.responseStarted,
      error,
    }
  return { kind: 'error', error }
}

/**
 * Whether the call may go to another backend after `outcome`: `free` (nothing reached the backend
 * that costs it anything), `budget` (pay one token from the retry budget first), or false.
 * `replayable`: the body can be sent again from its start (none, or wholly buffered so far).
 */
export function resendAfter(
  outcome: Outcome<Answer>,
  method: string,
  replayable: boolean,
): 'free' | 'budget' | false {
  if (!replayable) return false
  switch (outcome.kind) {
    case 'not-ready':
    case 'not-found':
      return 'free'
    case 'unreachable':
      return outcome.beforeSend || outcome.crashed === true ? 'budget' : false
    case 'response': {
      if (!outcome.internal) return false
      const { status } = outcome.response
      if (status === 404) return 'free'
      if ((status === 502 || status === 503) && IDEMPOTENT.has(method)) return 'budget'
      return false
    }
    default:
      return false
  }
}

/** What the router learns about the backend from `outcome`. */
export function attemptResult(outcome: Outcome<Answer>): AttemptResult {
  switch (outcome.kind) {
    case 'response': {
      const { status } = outcome.response
      // The backend gateway's own 5xx: it could not get the call to a working function.
      if (outcome.internal && status >= 500)
        return { kind: 'failed', code: String(status), error: `the backend answered ${status} itself` }
      if (outcome.internal && status === 404) return { kind: 'unready', code: '404' }
      return { kind: 'answered', status }
    }
    case 'not-ready':
      return { kind: 'unready', code: 'not_ready' }
    case 'not-found':
      return { kind: 'unready', code: 'not_found' }
    case 'unreachable':
      return { kind: 'failed', code: 'unreachable', error: messageOf(outcome.error) }
    case 'timeout':
      return { kind: 'failed', code: 'timeout', error: 'no answer within the function timeout' }
    case 'aborted':
      return { kind: 'released', code: 'aborted' }
    case 'error':
      return { kind: 'released', code: 'error' }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
