/**
 * @module
 * Calls to the backend's `/system/*` API: the credentials, a deadline, JSON bodies, and transport
 * failures turned into UNAVAILABLE. Statuses are left to the caller, because what a 404 or a 409 means
 * depends on the call (contract §1.5, §10).
 */
import { HttpTransportError } from '../../src/http/client.ts'
import { ProviderError } from '../types.ts'
import type { ResolvedOptions } from './options.ts'

export interface SystemCall {
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | undefined>
  /** Sent as JSON. */
  json?: unknown
  /** Ends the call early (with the deadline still in force). */
  signal?: AbortSignal
  /** No deadline: for streams that last as long as the caller reads (logs with follow). */
  stream?: boolean
}

export class BackendApi {
  readonly #options: ResolvedOptions

  constructor(options: ResolvedOptions) {
    this.#options = options
  }

  /** The backend as named in messages. */
  get shown(): string {
    return this.#options.shown
  }

  async call(method: string, path: string, call: SystemCall = {}): Promise<Response> {
    const headers = new Headers({ accept: 'application/json' })
    if (this.#options.authorization) headers.set('authorization', this.#options.authorization)
    let body: string | null = null
    if (call.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(call.json)
    }
    const deadline = call.stream ? null : AbortSignal.timeout(this.#options.timeoutMs)
    const signals = [deadline, call.signal].filter((s): s is AbortSignal => s !== null && s !== undefined)
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
    try {
      return await this.#options.http(`${this.#options.base}${path}${queryString(call.query)}`, {
        method,
        headers,
        body,
        signal,
      })
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason
      if (deadline?.aborted) {
        throw new ProviderError(
          'UNAVAILABLE',
          `backend ${this.shown} did not answer ${method} ${path} within ${this.#options.timeoutMs} ms`,
          { cause: error },
        )
      }
      throw unreachable(this.shown, error)
    }
  }
}

/** A transport failure as a ProviderError; the original error stays as `cause`. */
export function unreachable(shown: string, error: unknown): ProviderError {
  const reason = HttpTransportError.is(error) ? error.message : String((error as Error)?.message ?? error)
  return new ProviderError('UNAVAILABLE', `backend ${shown} is unreachable: ${reason}`, { cause: error })
}

function queryString(query: Record<string, string | undefined> | undefined): string {
  if (!query) return ''
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}
