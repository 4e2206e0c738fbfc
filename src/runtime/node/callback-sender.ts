/**
 * @module
 * Callback transport on Node: node:http(s) with a `lookup` that checks every address a callback host
 * resolves to against the callback policy at connect time, so a name that passed the check at enqueue
 * cannot be re-pointed at an internal address later (DNS rebinding). Node skips `lookup` for IP
 * literals, so those are checked here before connecting, in case the policy changed since enqueue.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { addressAllowed, type CallbackPolicy, hostAllowed, hostOf } from '../../queue/callback-policy.ts'
import { CallbackRefused, type CallbackSender } from '../../queue/callbacks.ts'

const TIMEOUT_MS = 30_000

/** `dns.lookup` with `all: true`; replaceable so tests can answer a name with the address they need. */
export type ResolveAll = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

export function createCallbackSender(
  policy: CallbackPolicy,
  resolveAll: ResolveAll = dnsLookup,
): CallbackSender {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }
  return (url, headers, body) =>
    new Promise((resolve, reject) => {
      const target = new URL(url)
      const host = hostOf(target)
      const trusted = hostAllowed(host, policy)
      if (!trusted && isIP(host) !== 0 && !addressAllowed(host, policy)) {
        return reject(new CallbackRefused(`${host} is a refused address`))
      }
      const guardedLookup: LookupFunction = (hostname, options, callback) => {
        resolveAll(hostname, { ...(options as LookupOptions), all: true }, (error, addresses) => {
          if (error) return callback(error, '', 0)
          const allowed = trusted ? addresses : addresses.filter((a) => addressAllowed(a.address, policy))
          if (allowed.length === 0) {
            return callback(new CallbackRefused(`${hostname} resolves only to refused addresses`), '', 0)
          }
          if ((options as LookupOptions).all)
            return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed)
          const first = allowed[0] as LookupAddress
          callback(null, first.address, first.family)
        })
      }
      const isHttps = target.protocol === 'https:'
      const outgoing: Record<string, string> = {}
      headers.forEach((value, name) => {
        outgoing[name] = value
      })
      outgoing['content-length'] = String(body.byteLength)
      const request = (isHttps ? https : http).request(target, {
        method: 'POST',
        headers: outgoing,
        agent: isHttps ? agents.https : agents.http,
        lookup: guardedLookup,
        timeout: TIMEOUT_MS,
      })
      request.once('response', (response) => {
        response.resume()
        response.once('end', () => resolve(response.statusCode ?? 0))
        response.once('error', reject)
      })
      request.once('timeout', () => request.destroy(new Error('callback timed out')))
      request.once('error', (error) =>
        reject(error.name === 'CallbackRefused' ? new CallbackRefused(error.message) : error),
      )
      request.end(body)
    })
}
