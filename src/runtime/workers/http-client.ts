/**
 * @module
 * The core's HttpClient (src/http/client.ts) in workerd: the global fetch, which pools connections and
 * streams bodies both ways itself, told not to follow redirects (`redirect: 'manual'` returns the 3xx
 * with its `Location`, not an opaque response as in browsers) and not to decode bodies.
 *
 * Decompression, measured in test/workers/http-client.test.ts: workerd's fetch decodes a
 * `Content-Encoding: gzip` body when JavaScript reads it and keeps the header, so a proxy that reads
 * the body would pass on plain bytes labelled gzip. `encodeResponseBody: 'manual'` hands over the bytes
 * as sent. The other way, per Cloudflare's documentation (a test cannot watch a Worker's own responses
 * on the wire): a Response a Worker returns with `Content-Encoding` is compressed by workerd unless it
 * was built with `encodeBody: 'manual'`, so code that rebuilds such a response must pass that option.
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
