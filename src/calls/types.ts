/**
 * @module
 * The asynchronous call as it travels: enqueued by `/async-function/…`, carried by every queue driver,
 * kept by the store in the embedded queue and in dead letters. It lives here, beside neither, so the
 * store and the queue both import it downward.
 */

/** One asynchronous call, as enqueued by `/async-function/…`. JSON-serialisable. */
export interface CallRecord {
  /** The call id (`X-Call-Id`); unique; also the idempotency key of the call. */
  id: string
  /** Named queue (`com.openfaas.queue`), `default` otherwise. */
  queue: string
  namespace: string
  function: string
  method: string
  /** What follows `/async-function/<name>` (at least `/`), without the query. */
  path: string
  /** Raw query string without `?`; empty when none. */
  query: string
  /** Request headers as name/value pairs, in order, names lower-cased. */
  headers: Array<[string, string]>
  /** The request body, base64 (empty string for none). */
  body: string
  /** Absolute http(s) URL, already checked against the callback policy; null for none. */
  callbackUrl: string | null
  /** Unix milliseconds. */
  enqueuedAt: number
}
