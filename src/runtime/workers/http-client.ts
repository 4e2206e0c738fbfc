/**
 * @module
 * The core's HttpClient (src/http/client.ts) in workerd: the global fetch, which pools connections and
 * streams bodies both ways itself, told not to follow redirects (`redirect: 'manual'` returns the 3xx
 * with its `Location`, not an opaque response as in browsers) and not to decode bodies.
 *
 * Decompression, measured in test/workers/http-client.test.ts: workerd's fetch decodes a
 * `Content-Encoding: gzip` body when JavaScript reads it, and keeps the header, so a proxy that reads
 * or re-wraps the body would pass on plain bytes labelled gzip. `encodeResponseBody: 'manual'` hands
 * over the bytes as sent. A Response built around such a body must itself carry
 * `encodeBody: 'manual'` when it is returned, or workerd compresses it a second time on the way out.
 */
import { type HttpClient, HttpTransportError } from '../../http/client.ts'

export function createFetchHttpClient(fetcher: typeof fetch = fetch): HttpClient {
  return async (url, init) => {
    try {
      return await fetcher(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: init.signal ?? null,
        redirect: 'manual',
        encodeResponseBody: 'manual',
      })
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason
      // workerd's errors do not tell whether the request went out, so nothing is claimed.
      throw new HttpTransportError(`${init.method} ${new URL(url).host}: ${(error as Error).message}`, {
        beforeSend: false,
        cause: error,
      })
    }
  }
}
