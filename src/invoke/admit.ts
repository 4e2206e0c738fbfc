/**
 * @module
 * The one seam where a call to a function that was found is admitted before it is delivered. Both
 * invocation transports reach it through the shared pipeline (src/invoke/invocation.ts): the Web one
 * (`gateway.fetch` on Workers and Deno, and the async worker) and Node's native one. Rules that decide
 * whether a caller may invoke a function (per-function invoke auth, rate limits, which host may serve
 * it) are added here as pure checks over the route and the request's facts, so every transport applies
 * them the same way and none can be bypassed by choosing another door.
 */
import type { HeaderReader } from '../http/header-map.ts'
import type { FunctionRecord } from '../store/types.ts'

/** What a transport knows about a request before its body is read. */
export interface InvocationFacts {
  method: string
  /** What follows the function's name, with the query. */
  path: string
  /** The caller's headers (lower-case names), as received. */
  headers: HeaderReader
  /** The caller's `ip:port`, when the runtime knows it. */
  clientAddress: string | undefined
  /** True for calls the gateway makes itself (the async worker), which were admitted when queued. */
  internal?: boolean
}

/** Admitted, or refused with the answer to give (a 4xx with a message saying what to fix). */
export type Admission =
  | { admitted: true }
  | { admitted: false; status: number; message: string; headers?: Record<string, string> }

export const ADMITTED: Admission = Object.freeze({ admitted: true })

/**
 * Decides whether the call may go on. Synchronous in the common case so the hot path awaits nothing;
 * a rule that must look something up may return a promise.
 */
export type AdmitInvocation = (fn: FunctionRecord, facts: InvocationFacts) => Admission | Promise<Admission>

/** Today every found function is public, as in OpenFaaS CE: the seam admits every call. */
export function createAdmission(): AdmitInvocation {
  return () => ADMITTED
}
