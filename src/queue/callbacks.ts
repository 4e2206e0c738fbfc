/**
 * @module
 * Posting a call's result to its `X-Callback-Url`, with the OpenFaaS queue-worker headers plus the Pro
 * ones (`X-Retry`, `X-Retry-Max`). A failing callback is retried with backoff; only a receiver that keeps
 * failing (or refuses with a 4xx) makes the call fail. The transport is the runtime's: on Node it checks
 * every address it connects to against the callback policy (DNS rebinding).
 */

import { HOP_BY_HOP_HEADERS } from '../contract/hop-by-hop.ts'

/** Sends one POST; resolves with the receiver's status, rejects on network errors or a refused address. */
export type CallbackSender = (url: string, headers: Headers, body: Uint8Array) => Promise<number>

export interface CallbackInput {
  url: string
  callId: string
  functionName: string
  functionStatus: number
  /** The function's answer headers (Web `Headers` or any object with its `forEach`). */
  responseHeaders: { forEach(callback: (value: string, name: string) => void): void } | null
  body: Uint8Array
  durationSeconds: number
  startTime: string | null
  retry: number
  retryMax: number
  userAgent: string
}

/** The function's response headers that do not carry over to the callback request. */
const NOT_CARRIED: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'content-length'])

export function callbackHeaders(input: CallbackInput): Headers {
  const headers = new Headers()
  input.responseHeaders?.forEach((value, name) => {
    if (!NOT_CARRIED.has(name)) headers.append(name, value)
  })
  headers.set('X-Call-Id', input.callId)
  headers.set('X-Function-Status', String(input.functionStatus))
  headers.set('X-Function-Name', input.functionName)
  headers.set('X-Duration-Seconds', input.durationSeconds.toFixed(6))
  if (input.startTime) headers.set('X-Start-Time', input.startTime)
  headers.set('X-Retry', String(input.retry))
  headers.set('X-Retry-Max', String(input.retryMax))
  headers.set('User-Agent', input.userAgent)
  return headers
}

/**
 * Posts the callback, retrying network errors, 408, 429 and 5xx up to `attempts` times with backoff from
 * `baseDelayMs`. Returns null on success, else why it gave up.
 */
export async function deliverCallback(
  send: CallbackSender,
  input: CallbackInput,
  attempts: number,
  baseDelayMs: number,
): Promise<string | null> {
  const headers = callbackHeaders(input)
  let reason = 'not attempted'
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const status = await send(input.url, headers, input.body)
      if (status < 300) return null
      reason = `callback receiver answered ${status}`
      if (status < 500 && status !== 408 && status !== 429) return reason
    } catch (error) {
      reason = `callback failed: ${error instanceof Error ? error.message : String(error)}`
      if (error instanceof CallbackRefused) return reason
    }
    if (attempt < attempts) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, baseDelayMs * 2 ** (attempt - 1))))
    }
  }
  return reason
}

/** Thrown by senders when the callback policy forbids the address; never retried. */
export class CallbackRefused extends Error {
  override name = 'CallbackRefused'
}
