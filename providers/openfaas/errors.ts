/**
 * @module
 * A backend's error answer as a ProviderError. The status decides the code (the providers' combined set,
 * contract §7): 400/422 INVALID, 404 NOT_FOUND, 405/501 UNSUPPORTED, 408/429/502/503/504 UNAVAILABLE,
 * 401/403 INTERNAL (our credentials are wrong: an operator's fix, not the caller's), anything else
 * INTERNAL. The backend's own words are kept, shortened and stripped of control characters.
 */
import { ProviderError, type ProviderErrorCode } from '../types.ts'

const MAX_TEXT = 300
const READ_LIMIT = 4096

export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 400 || status === 422 || status === 409) return 'INVALID'
  if (status === 404) return 'NOT_FOUND'
  if (status === 405 || status === 501) return 'UNSUPPORTED'
  if ([408, 429, 502, 503, 504].includes(status)) return 'UNAVAILABLE'
  return 'INTERNAL'
}

/** `what` says what was being done, e.g. `deploying env.openfaas-fn`. Reads (part of) the body. */
export async function backendError(
  response: Response,
  what: string,
  shown: string,
  code: ProviderErrorCode = codeForStatus(response.status),
): Promise<ProviderError> {
  const text = await shortText(response)
  if (response.status === 401 || response.status === 403) {
    return new ProviderError(
      'INTERNAL',
      `${what}: backend ${shown} refused the credentials (${response.status}${text ? `: ${text}` : ''}); ` +
        "check the backend's username and password or token",
    )
  }
  return new ProviderError(
    code,
    `${what}: backend ${shown} answered ${response.status}${text ? `: ${text}` : ''}`,
  )
}

/** The start of a body as one printable line (an error body may be large, binary or never end). */
export async function shortText(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < READ_LIMIT) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } catch {
    // What was read so far is enough for a message.
  } finally {
    reader.cancel().catch(() => {})
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  const line = new TextDecoder()
    .decode(bytes)
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line
}

/** Reads and drops a body that is not needed (a short one lets its connection go back to the pool). */
export async function discard(response: Response): Promise<void> {
  await shortText(response)
}
