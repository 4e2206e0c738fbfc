/**
 * @module
 * The body of a `node:http` response as a Web `Response` body, for every Node client that hands one
 * on (the local provider's forwarder, the HTTP client for remote backends): small bodies of known length
 * whole, the rest streamed with backpressure.
 */
import type http from 'node:http'

/**
 * A body of known length up to this size is read whole before the response is handed on: it arrives
 * with the headers in practice, and a complete body lets the server write headers and body in one
 * syscall instead of flushing headers first, the largest single cost per call on this path.
 * Anything larger, or of unknown length (chunked, SSE, NDJSON), streams.
 */
export const SMALL_BODY_BYTES = 16 * 1024

/** Statuses that carry no body whatever the headers say. */
const NULL_BODY_STATUS: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

/** The body to hand on: null for HEAD and bodiless statuses (drained), whole when small, else a stream. */
export async function responseBody(
  source: http.IncomingMessage,
  method: string,
  status: number,
): Promise<Uint8Array | ReadableStream<Uint8Array> | null> {
  if (method === 'HEAD' || NULL_BODY_STATUS.has(status)) {
    source.resume()
    return null
  }
  const length = Number(source.headers['content-length'] ?? Number.NaN)
  if (length <= SMALL_BODY_BYTES) return readAll(source, length)
  return webStream(source)
}

function readAll(source: http.IncomingMessage, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const body = new Uint8Array(length)
    let offset = 0
    source.on('data', (chunk: Buffer) => {
      if (offset + chunk.byteLength > length) {
        source.destroy(new Error('the server sent more bytes than its Content-Length'))
        return
      }
      body.set(chunk, offset)
      offset += chunk.byteLength
    })
    source.once('end', () => resolve(offset === length ? body : body.subarray(0, offset)))
    source.once('error', reject)
  })
}

/**
 * The response body as a Web stream. Hand-rolled rather than `Readable.toWeb`, which costs several
 * times more per response on the hot path; backpressure is kept by pausing the socket while the
 * consumer's queue is full.
 */
function webStream(source: http.IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 0) <= 0) source.pause()
      })
      source.once('end', () => controller.close())
      source.once('error', (error) => controller.error(error))
    },
    pull() {
      source.resume()
    },
    cancel(reason) {
      source.destroy(reason instanceof Error ? reason : undefined)
    },
  })
}
