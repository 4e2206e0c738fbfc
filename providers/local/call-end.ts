/**
 * @module
 * When a call to a replica is over: once its response has been read from the replica, which for a
 * streamed body (SSE, NDJSON, large downloads) is long after the headers. A retiring replica waits for
 * this before it stops, so a stream is not cut short by a scale-down or an update.
 */
import { SMALL_BODY_BYTES } from '../../src/runtime/node/incoming-body.ts'

/**
 * Returns `response` with `release` called once its body has been read to the end, failed, or been
 * cancelled by the caller. A body the Forwarder has read whole already (a Content-Length up to
 * SMALL_BODY_BYTES) is released at once and the response returned untouched: wrapping it would cost
 * every small call the runtime's fast path for in-memory bodies.
 */
export function releaseWhenRead(response: Response, release: () => void): Response {
  const length = response.headers.get('content-length')
  if (length !== null && Number(length) <= SMALL_BODY_BYTES) {
    release()
    return response
  }
  const body = response.body
  if (body === null) {
    release()
    return response
  }
  const reader = body.getReader()
  const tracked = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read()
          if (done) {
            release()
            controller.close()
          } else controller.enqueue(value)
        } catch (error) {
          release()
          controller.error(error)
        }
      },
      cancel(reason) {
        release()
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return new Response(tracked, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
}
