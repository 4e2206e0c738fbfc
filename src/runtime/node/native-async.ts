/**
 * @module
 * Node's native door for `POST /async-function/*`: the submission taken on node:http's own
 * `IncomingMessage` and `ServerResponse`, with no Web `Request`, `Response` or body stream built per call
 * (the Hono adapter cost more CPU per submission than the rules and the store together). The rules —
 * function lookup, invoke auth, callback URL check, body limit, the durable enqueue — are
 * src/api/async-submit.ts, which the app's route runs too; this file is only I/O. serve.ts sends here
 * only what the fetch handler would route to that same route: a POST whose raw path is plain and passes
 * the path check, on a Host that is not a custom domain. The fast door (wire/server/) sends here too: a plain
 * submission with a small body of known length, read whole off the raw socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AsyncSubmission, submitAsyncCall } from '../../api/async-submit.ts'
import type { GatewayDeps } from '../../deps.ts'
import { ApiError, toApiError } from '../../errors.ts'
import { RecordHeaders } from '../../http/header-map.ts'
import { type CallerResponse, writeTextAnswer, writeWebAnswer } from './caller-response.ts'
import { headerRecord } from './request-headers.ts'

/** The submitter's view of a caller's body: read whole once asked, up to a limit. */
export interface SubmittedBody {
  /** Whether the whole body has arrived (read or not): the connection can then serve the next request. */
  readonly complete: boolean
  read(limit: number): Promise<Uint8Array>
}

/** A submission as either door hands it over: the raw header list (`rawHeaders`) and the body. */
export interface AsyncCaller {
  rawHeaders: string[]
  body: SubmittedBody
}

/** Handles one checked `POST /async-function/…`; never rejects. */
export type NativeAsyncSubmitter = (
  caller: AsyncCaller,
  res: CallerResponse,
  pathname: string,
  search: string,
) => void

/** node:http's door: its request's headers and streamed body. */
export function submitIncoming(
  submit: NativeAsyncSubmitter,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  search: string,
): void {
  submit({ rawHeaders: req.rawHeaders, body: new IncomingBody(req) }, res, pathname, search)
}

export function createNativeAsyncSubmitter(deps: GatewayDeps): NativeAsyncSubmitter {
  return (caller, res, pathname, search) => {
    const { body } = caller
    const submission: AsyncSubmission = {
      pathname,
      search,
      headers: new RecordHeaders(headerRecord(caller.rawHeaders)),
      readBody: (limit) => body.read(limit),
    }
    submitAsyncCall(deps, submission)
      .then(
        (accepted) => {
          if (accepted instanceof Response) {
            // A refused caller whose body is still arriving cannot keep streaming into the connection.
            return writeWebAnswer(res, accepted, body.complete ? [] : ['connection', 'close'])
          }
          res.writeHead(202, ['X-Call-Id', accepted.callId, 'X-Start-Time', accepted.startTime])
          res.end()
        },
        (error: unknown) => {
          const apiError = toApiError(error)
          if (apiError.isUserError()) {
            // The client's mistake (or its dropped connection): worth seeing while debugging, not an alert.
            deps.logger.debug('request refused', {
              method: 'POST',
              path: pathname,
              status: apiError.status,
              reason: apiError.message,
            })
          } else {
            deps.logger.error('request failed', {
              method: 'POST',
              path: pathname,
              error: apiError.cause ?? apiError,
            })
          }
          writeText(res, apiError.status, apiError.message, body.complete)
        },
      )
      .catch(() => res.destroy())
  }
}

/**
 * The caller's body, read whole once asked, up to a limit. Whether it was read to its end decides how a
 * refusal leaves: a connection with body bytes still coming is closed after the answer, so a refused
 * caller cannot keep streaming into it (node:http would otherwise read the rest to reuse the connection).
 */
class IncomingBody implements SubmittedBody {
  readonly #req: IncomingMessage

  constructor(req: IncomingMessage) {
    this.#req = req
  }

  /** Whether the whole body has arrived (read or not): the connection can then serve the next request. */
  get complete(): boolean {
    return this.#req.complete
  }

  read(limit: number): Promise<Uint8Array> {
    const req = this.#req
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit))
    // Gone while the function and the callback were checked: no 'close' is coming to listen for.
    if (req.destroyed) return Promise.reject(bodyEndedEarly())
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength
        if (size > limit) {
          stop()
          req.pause()
          reject(tooLarge(limit))
          return
        }
        chunks.push(chunk)
      }
      const onEnd = () => {
        stop()
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
      }
      const onGone = (cause?: unknown) => {
        stop()
        reject(bodyEndedEarly(cause))
      }
      const onClose = () => {
        if (!req.complete) onGone()
      }
      const stop = () => {
        req.off('data', onData)
        req.off('end', onEnd)
        req.off('error', onGone)
        req.off('close', onClose)
      }
      req.on('data', onData)
      req.once('end', onEnd)
      req.once('error', onGone)
      req.once('close', onClose)
    })
  }
}

/** The fast door's body: read whole with the head (at most SMALL_BODY_BYTES), or none. */
export class WholeBody implements SubmittedBody {
  readonly complete = true
  readonly #bytes: Uint8Array

  constructor(bytes: Uint8Array | null) {
    this.#bytes = bytes ?? EMPTY
  }

  read(limit: number): Promise<Uint8Array> {
    if (this.#bytes.byteLength > limit) return Promise.reject(tooLarge(limit))
    return Promise.resolve(this.#bytes)
  }
}

const EMPTY = new Uint8Array(0)

/** As the app's body reader words it (src/api/body.ts): the client's doing, a 4xx nobody will read. */
function bodyEndedEarly(cause?: unknown): ApiError {
  return new ApiError('BAD_REQUEST', 'the request body ended early: the client closed the connection', {
    cause,
  })
}

function tooLarge(limit: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${limit} bytes`)
}

/** A refusal; a connection whose body is still arriving is closed after it. */
function writeText(res: CallerResponse, status: number, message: string, bodyRead: boolean): void {
  if (res.headersSent || res.destroyed) return
  writeTextAnswer(res, status, message, bodyRead ? [] : ['connection', 'close'])
}
