/**
 * @module
 * The caller's headers on Node's native transport, read straight from node:http's `rawHeaders` (the
 * names as sent, repeated fields as sent: `req.headers` would keep only the first `Authorization` or
 * `Content-Type`). Three views, none of them a `Headers`:
 * - {@link CallerHeaders}, what the invocation gate reads (only `Authorization`, and only when a
 *   function has invoke auth), scanned on demand;
 * - {@link upstreamHeaderList}, the request's headers to the function, built in one pass with the
 *   OpenFaaS rules of src/invoke/headers.ts applied (the same functions the Web transport's rules call),
 *   as the flat `[name, value…]` list undici sends;
 * - {@link headerRecord}, all of them as one object, for the async door.
 * Repeated fields are joined with `, ` as a Web `Headers` joins them, so both transports send the same.
 */
import { connectionOptions } from '../../contract/hop-by-hop.ts'
import type { HeaderReader, HeaderRecord } from '../../http/header-map.ts'
import { ListHeaders } from '../../http/header-map.ts'
import { addUpstreamHeaders, type CallIdentity, leftOutUpstream } from '../../invoke/headers.ts'

/** The caller's headers by lower-case name, repeated fields joined; read on demand from `rawHeaders`. */
export class CallerHeaders implements HeaderReader {
  readonly #raw: string[]
  constructor(raw: string[]) {
    this.#raw = raw
  }
  get(name: string): string | null {
    const raw = this.#raw
    let found: string | null = null
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const sent = raw[i]!
      if (sent.length !== name.length || sent.toLowerCase() !== name) continue
      found = found === null ? raw[i + 1]! : `${found}, ${raw[i + 1]}`
    }
    return found
  }
  has(name: string): boolean {
    return this.get(name) !== null
  }
}

/**
 * The caller's headers as one object by lower-case name, repeated fields joined as CallerHeaders joins
 * them, for a reader that looks at many (the async door stores them with the call).
 */
export function headerRecord(raw: string[]): HeaderRecord {
  const record: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    const seen = record[name]
    record[name] = seen === undefined ? value : `${seen}, ${value}`
  }
  return record
}

/**
 * The headers to send the function: the caller's (lower-case names, repeats joined), less what never
 * crosses (leftOutUpstream, those its Connection lists, `Host` and `Expect`, which undici sets or
 * refuses itself), plus the gateway's own (addUpstreamHeaders). One pass over `raw`.
 */
export function upstreamHeaderList(
  raw: string[],
  clientAddress: string | undefined,
  forwardsBody: boolean,
): { headers: ListHeaders; call: CallIdentity } {
  const list: string[] = []
  let host: string | null = null
  let callId: string | null = null
  let connection: string | null = null
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    // The few the rules read are taken aside; the gateway sets them (or leaves them out) itself.
    if (name === 'host') host = join(host, value)
    else if (name === 'x-call-id') callId = join(callId, value)
    else if (name === 'connection') connection = join(connection, value)
    else if (name !== 'expect' && !leftOutUpstream(name, forwardsBody)) {
      let at = -1
      for (let j = 0; j < list.length; j += 2) {
        if (list[j] === name) {
          at = j
          break
        }
      }
      if (at === -1) list.push(name, value)
      else list[at + 1] = `${list[at + 1]}, ${value}`
    }
  }
  const headers = new ListHeaders(list)
  // A header the caller's Connection names is hop-by-hop too (rare: `keep-alive` and `close` name none).
  const listed = connectionOptions(connection)
  if (listed) for (const name of listed) headers.delete(name)
  if (callId !== null && listed?.has('x-call-id')) callId = null
  const call = addUpstreamHeaders(
    {
      host: listed?.has('host') ? null : host,
      forwardedHost: headers.has('x-forwarded-host'),
      forwardedFor: headers.has('x-forwarded-for'),
      callId,
    },
    clientAddress,
    (name, value) => list.push(name, value),
  )
  return { headers, call }
}

function join(seen: string | null, value: string): string {
  return seen === null ? value : `${seen}, ${value}`
}
