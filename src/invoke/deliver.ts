/**
 * @module
 * Gets one call to the function: chooses a backend, sends, and on a failure that provably did not
 * reach the function sends it to another placement (attempt-outcome.ts has the rules, the router the
 * retry budget). A function not ready anywhere it could go is held while it scales from zero, then
 * sent where it became ready. Each backend is tried at most once per call, plus once more after the
 * wait, so a call ends after a few attempts at most.
 */
import type { Provider } from '../../providers/types.ts'
import type { CallerOrigin } from '../routing/locality.ts'
import type { BackendRouter } from '../routing/router.ts'
import type { FunctionRecord } from '../store/types.ts'
import {
  type Answer,
  answerOutcome,
  attemptResult,
  errorOutcome,
  type Outcome,
  resendAfter,
} from './attempt-outcome.ts'
import type { Cancellation } from './call-control.ts'
import type { Deadlines } from './deadlines.ts'
import type { ScaleFromZero, WaitOutcome } from './scale-from-zero.ts'

export interface DeliverDeps {
  router: BackendRouter
  scaleFromZero: ScaleFromZero
  /** Bytes of a request body kept so the call can be resent; a larger body is sent once. */
  resendBodyLimit: number
}

/** One call, as a transport holds it: `H` its upstream headers, `B` its body. */
export interface Call<H = Headers, B = ReadableStream<Uint8Array>> {
  fn: FunctionRecord
  /** `name.namespace`, for messages. */
  label: string
  /** What follows the function's name, with the query. */
  path: string
  method: string
  headers: H
  body: B | null
  /** Ends the call early (its timeout, the caller leaving), listened to without an EventTarget. */
  control: Cancellation
  /** The same as an AbortSignal, made on first use (a provider's `invoke`, the scale-from-zero wait). */
  readonly signal: AbortSignal
  timedOut(): boolean
  callerGone(): boolean
  /** Where the caller is (Workers' `request.cf`), for locality; absent elsewhere. */
  origin?: CallerOrigin | null
}

/** A body that can be sent again from its start (ResendableBody over the transport's body type). */
export interface Replay<B> {
  readonly replayable: boolean
  /** The body from its start, for one attempt. */
  body(): B
}

/**
 * How a runtime sends one attempt: the Web transport through `Provider.invoke` (src/invoke/proxy.ts),
 * Node's native one over its pooled client (src/runtime/node/native-invoke.ts). The rules of which
 * backend, when to resend and when to hold a call stay here, written once.
 */
export interface Transport<H, B, R extends Answer> {
  /** Sends one attempt; throws as `Provider.invoke` does (ProviderError, HttpTransportError). */
  send(provider: Provider, call: Call<H, B>, body: B | null): Promise<R>
  /** Whether the answer carries `X-OpenFaaS-Internal` (the backend's own, not the function's). */
  internal(answer: R): boolean
  /** Keeps `body` so it can be sent again, up to `limit` bytes. */
  resendable(body: B, limit: number): Replay<B>
  /** Drops an answer that will not be passed on (its connection is closed unless it had ended). */
  discard(answer: R): void
  /** How the runtime keeps each call's timeout (deadlines.ts); absent: a `setTimeout` per call. */
  deadlines?: Deadlines
}

/** The function's answer, or the gateway's own error (`backend`: the last one tried, if any). */
export type Delivery<R = Response> =
  | { kind: 'response'; response: R; backend: string }
  | { kind: 'error'; status: number; message: string; backend: string | null; cause?: unknown }

export async function deliver<H, B, R extends Answer>(
  deps: DeliverDeps,
  transport: Transport<H, B, R>,
  call: Call<H, B>,
): Promise<Delivery<R>> {
  const { router } = deps
  const { fn, label } = call
  const several = fn.placement.length > 1
  // Only a call that has somewhere else to go needs a body it can send again.
  const replay = several && call.body ? transport.resendable(call.body, deps.resendBodyLimit) : null
  const tried: string[] = []
  let waited = false
  if (several) router.firstAttempt()

  for (;;) {
    const attempt = router.choose(fn, tried, call.origin)
    if (!attempt) {
      return {
        kind: 'error',
        status: 502,
        message: `function ${label} has no reachable backend`,
        backend: null,
      }
    }
    tried.push(attempt.backend)
    let outcome: Outcome<R>
    try {
      const response = await transport.send(attempt.provider, call, replay ? replay.body() : call.body)
      outcome = answerOutcome(response, (answer) => transport.internal(answer))
    } catch (error) {
      outcome = errorOutcome(error, call.timedOut(), call.callerGone())
    }
    router.finish(attempt, attemptResult(outcome))
    const { backend } = attempt
    const replayable = replay ? replay.replayable : true

    if (
      outcome.kind === 'unreachable' &&
      !outcome.beforeSend &&
      !outcome.responseStarted &&
      replayable &&
      attempt.provider.crashedWithCalls &&
      router.reachable(fn, tried)
    ) {
      // Cut with no answer after it was sent: worth resending only if the backend died with the call.
      outcome.crashed = await attempt.provider.crashedWithCalls().catch(() => false)
    }
    const resend = resendAfter(outcome, call.method, replayable)
    const elsewhere = resend !== false && router.reachable(fn, tried)
    if (elsewhere && (resend === 'free' || router.allowResend())) {
      if (outcome.kind === 'response') transport.discard(outcome.response)
      continue
    }

    switch (outcome.kind) {
      case 'response':
        return { kind: 'response', response: outcome.response, backend }
      case 'not-ready':
      case 'not-found': {
        if (waited) {
          return outcome.kind === 'not-found'
            ? { kind: 'error', status: 404, message: notFound(label), backend }
            : { kind: 'error', status: 503, message: `function ${label} has no ready replica`, backend }
        }
        // Not ready (or not yet applied) wherever it could go: hold the call while it scales from zero.
        waited = true
        let wait: WaitOutcome
        try {
          wait = await deps.scaleFromZero.waitUntilReady(fn, call.signal)
        } catch (error) {
          // The function's timeout ran out while it scaled up, or the caller left.
          if (call.timedOut()) return { kind: 'error', status: 502, message: noAnswer(label), backend }
          return { kind: 'error', status: 502, message: unreachable(label), backend, cause: error }
        }
        if (wait === 'gone') return { kind: 'error', status: 404, message: notFound(label), backend }
        if (wait === 'timeout')
          return {
            kind: 'error',
            status: 503,
            message: `function ${label} did not become ready in time`,
            backend,
          }
        if ('failed' in wait)
          return {
            kind: 'error',
            status: 503,
            message: `function ${label} cannot start: ${wait.failed}`,
            backend,
          }
        tried.length = 0
        for (const b of fn.placement) {
          if (wait.ready.includes(b)) router.markReady(fn, b)
          else tried.push(b)
        }
        continue
      }
      case 'timeout':
        return { kind: 'error', status: 502, message: noAnswer(label), backend }
      default:
        return {
          kind: 'error',
          status: 502,
          message: unreachable(label),
          backend,
          cause: 'error' in outcome ? outcome.error : undefined,
        }
    }
  }
}

const noAnswer = (label: string) => `function ${label} did not answer in time`
const unreachable = (label: string) => `function ${label} is unreachable`

/** The OpenFaaS gateway's answer for a function it cannot find (`name.namespace` is a validated label). */
export function notFound(label: string): string {
  return `error finding function ${label}: not found`
}
