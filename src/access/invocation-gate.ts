/**
 * @module
 * The one check every invocation passes after its function is found and before it is forwarded: who may
 * call (invoke-auth.ts) and how often (rate-limit/). Runtime-neutral and free of routing, so any
 * transport calls it the same way: `admit` answers a refusal (a Response to send as is) or an Admission
 * (the query to forward and the header edits to make). `admitSubmit` is the same check for queuing a call
 * (`POST /async-function/…`); rate limits apply when the worker runs the call, not when it is queued, so
 * a refused queued call is retried later (429 with Retry-After, marked X-OpenFaaS-Internal).
 *
 * A function with neither setting costs one WeakMap lookup.
 */

import { clientKey } from '../auth/login-throttle.ts'
import { INTERNAL_HEADER } from '../contract/internal-header.ts'
import { textResponse } from '../errors.ts'
import { notFound } from '../invoke/deliver.ts'
import type { Logger } from '../logger.ts'
import type { FunctionRecord } from '../store/types.ts'
import { type InvokeAuthPolicy, invokeAuthPolicy, TOKEN_ID_HEADER, withoutQueryParam } from './invoke-auth.ts'
import { CLAIM_HEADER_PREFIX, claimHeaders, type JwtVerifier } from './jwt.ts'
import { isQueued } from './queued-calls.ts'
import { type GcraResult, limitState } from './rate-limit/gcra.ts'
import type { RateLimiter } from './rate-limit/limiter.ts'
import { type RateLimit, type RateLimitPolicy, rateLimitPolicy } from './rate-limit/policy.ts'
import { mayInvoke } from './scopes.ts'
import type { TokenVerifier } from './token-verifier.ts'
import { bearerOf } from './tokens.ts'

/**
 * What the gate reads of a request: its headers, and its identity (queued-calls.ts). A Web Request is
 * one; a transport without Request objects passes any object with a `headers.get`.
 */
export interface GateRequest {
  headers: { get(name: string): string | null }
}

/** The header edits an admission makes; Web `Headers` is one. */
export interface EditableHeaders {
  forEach(callback: (value: string, name: string) => void): void
  delete(name: string): void
  set(name: string, value: string): void
}

/** What to change on an admitted call; `{}` changes nothing. */
export interface Admission {
  /** The query to forward instead of the caller's (a token parameter removed). */
  search?: string
  /** Header edits on the forwarded request. */
  apply?: (headers: EditableHeaders) => void
  /** Headers to store with a queued call (claims); only from admitSubmit. */
  stored?: Array<[string, string]>
}

export interface InvocationGate {
  /** Synchronous (no Promise) for a function with neither invoke auth nor a rate limit: the hot path's usual case. */
  admit(
    fn: FunctionRecord,
    request: GateRequest,
    clientAddress: string | undefined,
    search: string,
  ): Promise<Response | Admission> | Admission
  admitSubmit(fn: FunctionRecord, request: GateRequest, search: string): Promise<Response | Admission>
}

export interface GateDeps {
  tokens: TokenVerifier
  jwt: JwtVerifier
  limiter: RateLimiter
  logger: Logger
  now?: () => number
}

interface Policy {
  auth: InvokeAuthPolicy | string
  limits: RateLimitPolicy | string
}

/** A policy whose annotations parsed (a string is the error of one that did not). */
interface ValidPolicy {
  auth: InvokeAuthPolicy
  limits: RateLimitPolicy
}

const ADMITTED: Admission = {}
const NO_ANNOTATIONS: Record<string, string> = {}

export function createInvocationGate(deps: GateDeps): InvocationGate {
  const policies = new WeakMap<Record<string, string>, Policy>()
  const now = deps.now ?? (() => Date.now())
  const policyOf = (fn: FunctionRecord): Policy => {
    const annotations = fn.spec.annotations ?? NO_ANNOTATIONS
    let policy = policies.get(annotations)
    if (!policy) {
      policy = { auth: invokeAuthPolicy(annotations), limits: rateLimitPolicy(annotations) }
      policies.set(annotations, policy)
    }
    return policy
  }

  /** Checks the caller; the caller's identity for per-caller limits, or the refusal. */
  async function authenticate(
    fn: FunctionRecord,
    auth: InvokeAuthPolicy,
    request: GateRequest,
    search: string,
    submit: boolean,
  ): Promise<Response | { caller: string | null; admission: Admission }> {
    const label = `${fn.name}.${fn.namespace}`
    if (auth.mode === 'public') return { caller: null, admission: ADMITTED }
    if (auth.mode === 'private' && !submit) return hidden(label)
    if (auth.mode === 'token' || auth.mode === 'private') {
      let token = bearerOf(request.headers.get('authorization'))
      let forwardedSearch = search
      if (auth.mode === 'token' && auth.queryParam !== null) {
        const taken = withoutQueryParam(search, auth.queryParam)
        forwardedSearch = taken.search
        token ??= taken.value
      }
      const grant = token === null ? null : await deps.tokens.verify(token)
      if (auth.mode === 'private') {
        // Queuing a private function: only an invoke token for it, and to anyone else it does not exist.
        return grant && mayInvoke(grant, fn.namespace, fn.name)
          ? { caller: `token:${grant.id}`, admission: { search: forwardedSearch } }
          : hidden(label)
      }
      if (grant === null) return needsCredential('token')
      if (!mayInvoke(grant, fn.namespace, fn.name))
        return textResponse(403, 'forbidden: this token may not invoke this function', internal())
      return {
        caller: `token:${grant.id}`,
        admission: {
          search: forwardedSearch,
          apply: (headers) => {
            stripImpersonation(headers)
            headers.delete('authorization')
            headers.set(TOKEN_ID_HEADER, grant.id)
          },
          stored: [[TOKEN_ID_HEADER, grant.id]],
        },
      }
    }
    const token = bearerOf(request.headers.get('authorization'))
    if (token === null) return needsCredential('jwt')
    const payload = await deps.jwt.verify(token, auth.jwt)
    if (payload === null) return needsCredential('jwt')
    const claims = claimHeaders(payload, auth.jwt.claims)
    return {
      caller: `jwt:${payload.iss ?? ''}:${payload.sub ?? ''}`,
      admission: {
        apply: (headers) => {
          stripImpersonation(headers)
          headers.delete('authorization')
          for (const [name, value] of claims) headers.set(name, value)
        },
        stored: claims,
      },
    }
  }

  async function limit(
    fn: FunctionRecord,
    limits: RateLimitPolicy,
    caller: string | null,
  ): Promise<Response | null> {
    const micros = now() * 1000
    const checks: Array<[string, RateLimit]> = []
    if (limits.perCaller && caller !== null)
      checks.push([`c:${fn.namespace}/${fn.name}:${caller}`, limits.perCaller])
    if (limits.function) checks.push([`f:${fn.namespace}/${fn.name}`, limits.function])
    for (const [key, rate] of checks) {
      let result: GcraResult
      try {
        result = await deps.limiter.take(key, rate, micros)
      } catch (error) {
        // The limiter's store is down: the call goes through. A limit protects a function; failing
        // every call because the limit cannot be counted would be the outage it is meant to prevent.
        deps.logger.warn('rate limit could not be checked; call allowed', { key, error })
        continue
      }
      if (!result.allowed) return tooMany(rate, limitState(result, micros, rate))
    }
    return null
  }

  async function checkedAdmission(
    fn: FunctionRecord,
    policy: ValidPolicy,
    request: GateRequest,
    clientAddress: string | undefined,
    search: string,
  ): Promise<Response | Admission> {
    let caller: string | null = null
    let admission = ADMITTED
    if (!isQueued(request)) {
      const checked = await authenticate(fn, policy.auth, request, search, false)
      if (checked instanceof Response) return checked
      caller = checked.caller ?? (clientAddress === undefined ? null : `ip:${clientKey(clientAddress)}`)
      admission = checked.admission
    }
    const refused = await limit(fn, policy.limits, caller)
    return refused ?? admission
  }

  return {
    admit(fn, request, clientAddress, search) {
      const policy = policyOf(fn)
      if (typeof policy.auth === 'string' || typeof policy.limits === 'string')
        return Promise.resolve(misconfigured())
      if (
        policy.auth.mode === 'public' &&
        policy.limits.function === null &&
        policy.limits.perCaller === null
      )
        return ADMITTED
      return checkedAdmission(
        fn,
        { auth: policy.auth, limits: policy.limits },
        request,
        clientAddress,
        search,
      )
    },

    async admitSubmit(fn, request, search) {
      const policy = policyOf(fn)
      if (typeof policy.auth === 'string') return misconfigured()
      const checked = await authenticate(fn, policy.auth, request, search, true)
      if (checked instanceof Response) return checked
      // Stored headers of a gated function: a caller's own X-Jwt-Claim-* must not reach it as if checked.
      return policy.auth.mode === 'public'
        ? ADMITTED
        : { ...checked.admission, stored: checked.admission.stored ?? [] }
    },
  }
}

/** Headers the gateway sets on authenticated calls; a caller's own copies are dropped first. */
export function isImpersonationHeader(name: string): boolean {
  const lower = name.toLowerCase()
  return lower.startsWith(CLAIM_HEADER_PREFIX) || lower === TOKEN_ID_HEADER
}

function stripImpersonation(headers: EditableHeaders): void {
  const names: string[] = []
  headers.forEach((_, name) => {
    if (isImpersonationHeader(name)) names.push(name)
  })
  for (const name of names) headers.delete(name)
}

function internal(extra: Record<string, string> = {}): Record<string, string> {
  return { [INTERNAL_HEADER]: 'proxy', ...extra }
}

/** The answer for a function that does not exist, word for word. */
function hidden(label: string): Response {
  return textResponse(404, notFound(label), internal())
}

function needsCredential(kind: 'token' | 'jwt'): Response {
  const message =
    kind === 'token'
      ? 'unauthorized: this function needs an API token with the invoke scope, sent as Authorization: Bearer <token>'
      : 'unauthorized: this function needs a valid JWT from its identity provider, sent as Authorization: Bearer <jwt>'
  return textResponse(401, message, internal({ 'WWW-Authenticate': `Bearer realm="function"` }))
}

function misconfigured(): Response {
  return textResponse(
    403,
    "forbidden: this function's edgefaas.dev/auth or rate-limit annotations are invalid; redeploy it with valid ones",
    internal(),
  )
}

function tooMany(rate: RateLimit, state: ReturnType<typeof limitState>): Response {
  return textResponse(
    429,
    `too many requests: this function allows ${rate.count} per ${rate.windowSeconds} s (burst ${rate.burst}); retry in ${state.retryAfterSeconds} s`,
    internal({
      'Retry-After': String(state.retryAfterSeconds),
      'RateLimit-Limit': String(rate.count),
      'RateLimit-Remaining': String(state.remaining),
      'RateLimit-Reset': String(state.resetSeconds),
      'RateLimit-Policy': `${rate.count};w=${rate.windowSeconds};burst=${rate.burst}`,
    }),
  )
}
