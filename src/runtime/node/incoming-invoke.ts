/**
 * @module
 * node:http's door to the native invoker (native-invoke.ts): a request node:http parsed, its body framed
 * (none; a small one of known length read whole, as it arrives with the headers in practice and then
 * leaves with the upstream headers in one write; else the request itself, streamed) and its caller's
 * address, handed over with node:http's own response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { incomingClient } from './client-address.ts'
import { SMALL_BODY_BYTES } from './incoming-body.ts'
import type { NativeBody, NativeInvoker } from './native-invoke.ts'

export function invokeIncoming(
  invoke: NativeInvoker,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  search: string,
): void {
  const body = callerBody(req, (read) => invoke(callerOf(req, read), res, pathname, search))
  if (body !== READING) invoke(callerOf(req, body), res, pathname, search)
}

function callerOf(req: IncomingMessage, body: NativeBody | null) {
  return {
    method: req.method ?? 'GET',
    rawHeaders: req.rawHeaders,
    clientAddress: incomingClient(req),
    body,
  }
}

/** The body to send, or READING while a small one is read whole (then `whenRead` gets it). */
function callerBody(
  req: IncomingMessage,
  whenRead: (body: NativeBody) => void,
): NativeBody | null | typeof READING {
  const declared = req.headers['content-length']
  if (declared === undefined) {
    if (req.headers['transfer-encoding'] === undefined) return emptyBody(req)
    // As an iterable, not the stream: undici would give a stream that already ended a Content-Length,
    // and a chunked body must reach the function chunked.
    return { [Symbol.asyncIterator]: () => req[Symbol.asyncIterator]() }
  }
  const length = Number(declared)
  if (length === 0) return emptyBody(req)
  if (length > SMALL_BODY_BYTES) return req
  // Called back rather than through a Promise: one microtask hop and one allocation fewer per call.
  // Once, as a Promise would settle: an error after the end must not start the call again.
  const chunks: Buffer[] = []
  let settled = false
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.once('end', () => {
    if (settled) return
    settled = true
    whenRead(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
  })
  // A caller that leaves mid-body: what arrived is not sent; the closed response ends the call.
  req.once('error', () => {
    if (settled) return
    settled = true
    whenRead(req)
  })
  return READING
}

/** callerBody's answer while a small body is still being read (it then calls `whenRead`). */
const READING: unique symbol = Symbol('reading')

function emptyBody(req: IncomingMessage): null {
  req.resume()
  return null
}
