/**
 * @module
 * Reading request bodies at the edge of the system: a size cap enforced while streaming (so a large
 * body is refused without being buffered), JSON parsing that never echoes the input, and schema
 * validation with messages that name the field to fix.
 *
 * A JSON body must be labelled as JSON. A web page on another site can make the browser send a POST
 * without asking first only with a form type, `text/plain` or no type; `application/json` needs a CORS
 * preflight, which this gateway never approves. So the label keeps other sites' pages out even where the
 * browser sends no `Origin` (src/auth/cross-site.ts checks that one).
 */
import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from '../errors.ts'

/** Reads the body as bytes, refusing more than `limit` bytes with 413. */
export async function readBodyBytes(c: Context, limit: number): Promise<Uint8Array> {
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit)
  const body = c.req.raw.body
  if (!body) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read().catch((cause: unknown) => {
      // The body stream fails when the client goes away mid-body (Node: "aborted", ECONNRESET). That is
      // the client's doing, not the gateway's: a 4xx nobody will read, logged at debug, never an error.
      throw new ApiError('BAD_REQUEST', 'the request body ended early: the client closed the connection', {
        cause,
      })
    })
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** Reads, parses and validates a JSON body. `what` names the expected object in error messages. */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
  limit: number,
  what: string,
): Promise<z.output<S>> {
  if (!isJsonMediaType(c.req.header('content-type'))) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the body must be JSON labelled Content-Type: application/json; send ${what} with -H 'Content-Type: application/json'`,
    )
  }
  const bytes = await readBodyBytes(c, limit)
  const text = new TextDecoder().decode(bytes)
  if (text.trim() === '')
    throw new ApiError('BAD_REQUEST', `failed to unmarshal request: the body is empty; send ${what} as JSON`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // The parser's message quotes the input, which must not be echoed back.
    throw new ApiError('BAD_REQUEST', `failed to unmarshal request: the body is not valid JSON; send ${what}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('BAD_REQUEST', `failed to unmarshal request: expected a JSON object (${what})`)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    throw new ApiError('BAD_REQUEST', `validation failed: ${problems.join('; ')}`)
  }
  return parsed.data
}

// RFC 6838 §4.2 restricted-name characters, for the `type/subtype+json` structured-syntax suffix.
const SUFFIX_JSON = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*\+json$/

/** `application/json` or any `…/…+json` type, with any parameters (`; charset=utf-8`). */
function isJsonMediaType(value: string | undefined): boolean {
  if (value === undefined) return false
  const semicolon = value.indexOf(';')
  const essence = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase()
  return essence === 'application/json' || SUFFIX_JSON.test(essence)
}

function tooLarge(limit: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${limit} bytes`)
}
