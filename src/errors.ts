/**
 * @module
 * Errors that reach a client. The gateway answers errors as plain text with a trailing newline, as the
 * OpenFaaS gateway and providers do (Go's http.Error), because faas-cli prints the body verbatim.
 */
import { ProviderError } from '../providers/types.ts'
import { isStoreUnavailable, STORE_UNAVAILABLE_MESSAGE } from './store/unavailable.ts'

export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNPROCESSABLE'
  | 'INTERNAL'
  | 'NOT_IMPLEMENTED'
  | 'BAD_GATEWAY'
  | 'UNAVAILABLE'

const STATUS: Record<ApiErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  BAD_GATEWAY: 502,
  UNAVAILABLE: 503,
}

const BRAND = Symbol.for('edgefaas.ApiError')

/**
 * An error with a status and a message meant for the user. Messages must say what to fix and must not
 * echo unvalidated input (names are quoted only after they passed validation).
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly status: number
  readonly [BRAND] = true
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ApiError'
    this.code = code
    this.status = STATUS[code]
  }
  /** 4xx: the request was at fault. */
  isUserError(): boolean {
    return this.status < 500
  }
  static is(value: unknown): value is ApiError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true
  }
}

const PROVIDER_TO_API: Record<ProviderError['code'], ApiErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID: 'BAD_REQUEST',
  UNSUPPORTED: 'NOT_IMPLEMENTED',
  NOT_READY: 'UNAVAILABLE',
  UNAVAILABLE: 'BAD_GATEWAY',
  INTERNAL: 'INTERNAL',
}

/** Maps any thrown value to an ApiError; unknown errors become a 500 that hides their details. */
export function toApiError(error: unknown): ApiError {
  if (ApiError.is(error)) return error
  if (ProviderError.is(error))
    return new ApiError(PROVIDER_TO_API[error.code], error.message, { cause: error })
  // The database down (restart, failover) is a retryable 503, not a gateway bug.
  if (isStoreUnavailable(error))
    return new ApiError('UNAVAILABLE', STORE_UNAVAILABLE_MESSAGE, { cause: error })
  return new ApiError('INTERNAL', 'internal error; see the gateway log', { cause: error })
}

/** A plain-text error response in the Go `http.Error` shape. */
export function textResponse(status: number, message: string, headers?: Record<string, string>): Response {
  const h = new Headers(headers)
  h.set('Content-Type', 'text/plain; charset=utf-8')
  h.set('X-Content-Type-Options', 'nosniff')
  return new Response(`${message}\n`, { status, headers: h })
}
