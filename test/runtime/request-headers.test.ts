/**
 * Node's one-pass upstream headers (src/runtime/node/request-headers.ts) against the rules as the Web
 * transport applies them (src/invoke/headers.ts `upstreamHeaders` on a `Headers`): for any caller's
 * header lines, the function is sent the same headers either way.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { upstreamHeaders } from '../../src/invoke/headers.ts'
import { CallerHeaders, upstreamHeaderList } from '../../src/runtime/node/request-headers.ts'

const NAMES = [
  'Host',
  'host',
  'X-Call-Id',
  'x-call-id',
  'Connection',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Start-Time',
  'Content-Length',
  'Transfer-Encoding',
  'TE',
  'Keep-Alive',
  'Upgrade',
  'Proxy-Authorization',
  'Expect',
  'Authorization',
  'X-A',
  'x-a',
  'Accept',
]
const VALUES = [
  '',
  'v',
  'w',
  '5',
  'keep-alive',
  'close',
  'X-A',
  'x-a, accept',
  'X-Call-Id',
  'Host, x-forwarded-for',
  '100-continue',
]
const line = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES))

/** What the Web transport sends: its rules on a Headers, less what undici never sends (Host, Expect). */
function byTheWebRules(
  lines: Array<[string, string]>,
  clientAddress: string | undefined,
  forwardsBody: boolean,
) {
  const incoming = new Headers()
  for (const [name, value] of lines) incoming.append(name, value)
  const { headers, call } = upstreamHeaders(incoming, clientAddress, forwardsBody)
  const sent: Record<string, string> = {}
  headers.forEach((value, name) => {
    if (name !== 'host' && name !== 'expect') sent[name] = value
  })
  return { sent, call }
}

function byOnePass(lines: Array<[string, string]>, clientAddress: string | undefined, forwardsBody: boolean) {
  const { headers, call } = upstreamHeaderList(lines.flat(), clientAddress, forwardsBody)
  const sent: Record<string, string> = {}
  for (let i = 0; i < headers.list.length; i += 2) {
    const name = headers.list[i]!
    expect(sent[name], `${name} listed once`).toBeUndefined()
    // Headers#set trims a value (two empty ones joined, `, `); a receiving parser trims it alike.
    sent[name] = headers.list[i + 1]!.trim()
  }
  return { sent, call }
}

describe('upstreamHeaderList (one pass over rawHeaders)', () => {
  it('sends what the Web transport sends, for any caller header lines', () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 10 }),
        fc.constantFrom(undefined, '127.0.0.1:5000'),
        fc.boolean(),
        (lines, clientAddress, forwardsBody) => {
          const web = byTheWebRules(lines, clientAddress, forwardsBody)
          const native = byOnePass(lines, clientAddress, forwardsBody)
          expect(native.call.generated).toBe(web.call.generated)
          if (!web.call.generated) expect(native.call.callId.trim()).toBe(web.call.callId.trim())
          // A made-up id and the clock differ between two runs; each side sends its own.
          expect(native.sent['x-call-id']).toBe(native.call.callId.trim())
          expect(native.sent['x-start-time']).toBe(native.call.startTime)
          for (const side of [web.sent, native.sent]) {
            delete side['x-call-id']
            delete side['x-start-time']
          }
          expect(native.sent).toEqual(web.sent)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('CallerHeaders reads a name as Headers does: any case, repeats joined', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.constantFrom(...NAMES), (lines, name) => {
        const incoming = new Headers()
        for (const [n, v] of lines) incoming.append(n, v)
        const reader = new CallerHeaders(lines.flat())
        expect(reader.get(name.toLowerCase())).toBe(incoming.get(name))
        expect(reader.has(name.toLowerCase())).toBe(incoming.has(name))
      }),
      { numRuns: 1000 },
    )
  })
})
