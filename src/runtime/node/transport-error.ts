/**
 * @module
 * The error both upstream clients (undici-upstream.ts, wire/client/wire-client.ts) fail a call with: the
 * method and origin, the system error code when the message lacks it, and what failover needs to know
 * (src/invoke/attempt-outcome.ts): whether nothing was sent, and whether a response had started.
 */
import { HttpTransportError } from '../../http/client.ts'

export function upstreamTransportError(
  method: string,
  origin: string,
  error: Error,
  beforeSend: boolean,
  responseStarted: boolean,
): HttpTransportError {
  if (HttpTransportError.is(error)) return error
  const code = (error as NodeJS.ErrnoException).code
  const detail = code && !error.message.includes(code) ? `${error.message} (${code})` : error.message
  return new HttpTransportError(`${method} ${origin}: ${detail}`, {
    beforeSend,
    responseStarted,
    cause: error,
  })
}
