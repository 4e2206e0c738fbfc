/**
 * @module
 * How the async worker runs one queued call through the gateway's own invocation path, and what it keeps
 * of the answer: status, headers and the whole body (for the callback and the retry decision). The Web
 * form below serves every runtime; Node supplies its own over the pooled upstream client
 * (src/runtime/node/native-queued-invoke.ts), with no Web `Request`/`Response` built per call.
 */
import { markQueued } from '../access/queued-calls.ts'
import { base64ToBytes } from '../base64.ts'
import { isInternalAnswer } from '../contract/internal-header.ts'
import type { Invoke } from '../invoke/proxy.ts'
import type { CallRecord } from './types.ts'

/** A function's (or the gateway's) answer to a queued call, read whole. */
export interface QueuedAnswer {
  status: number
  /** Lower-case names; `forEach` gives each header once, repeated fields joined as Web `Headers` does. */
  headers: {
    get(name: string): string | null
    forEach(callback: (value: string, name: string) => void): void
  }
  /** Answered by the gateway or provider in front of the function (X-OpenFaaS-Internal), not the function. */
  internal: boolean
  body: Uint8Array
}

/** Runs `record` as a call of `fnLabel` (`name.namespace`); rejects only when no answer could be had. */
export type InvokeQueued = (record: CallRecord, fnLabel: string) => Promise<QueuedAnswer>

/** The path and query a queued call is invoked with. */
export function queuedTarget(record: CallRecord, fnLabel: string): { pathname: string; search: string } {
  return { pathname: `/function/${fnLabel}${record.path}`, search: record.query ? `?${record.query}` : '' }
}

/** Whether the stored call carries a body to send (never for GET and HEAD). */
export function sendsBody(record: CallRecord): boolean {
  return record.body !== '' && record.method !== 'GET' && record.method !== 'HEAD'
}

/** Through the Web transport (`Invoke`), as every runtime can. */
export function webQueuedInvoke(invoke: Invoke): InvokeQueued {
  return async (record, fnLabel) => {
    const { pathname, search } = queuedTarget(record, fnLabel)
    const headers = new Headers(record.headers)
    // The function sees the call's own id, so it can de-duplicate at-least-once deliveries.
    headers.set('x-call-id', record.id)
    const request = new Request(`http://edgefaas.internal${pathname}${search}`, {
      method: record.method,
      headers,
      ...(sendsBody(record) ? { body: base64ToBytes(record.body) } : {}),
    })
    // Marked as the queue's own: its caller was checked when it was queued (src/access/invocation-gate.ts).
    const response = await invoke(markQueued(request), undefined)
    return {
      status: response.status,
      headers: response.headers,
      internal: isInternalAnswer(response),
      body: new Uint8Array(await response.arrayBuffer()),
    }
  }
}
