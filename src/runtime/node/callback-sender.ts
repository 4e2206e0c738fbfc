/**
 * @module
 * Callback transport on Node: a pooled undici `Agent` (keep-alive connections per receiver origin, one
 * dispatch per callback, no node:http `ClientRequest` or Web stream built per call) whose `connect`
 * carries a `lookup` that checks every address a callback host resolves to against the callback policy at
 * connect time, so a name that passed the check at enqueue cannot be re-pointed at an internal address
 * later (DNS rebinding). `net.connect` skips `lookup` for IP literals, so those are checked here before
 * dispatching, in case the policy changed since enqueue. A pooled connection was checked when it opened.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import type { IncomingHttpHeaders } from 'node:http'
import { isIP, type LookupFunction } from 'node:net'
import { Agent, type Dispatcher } from 'undici'
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
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    resolveAll(hostname, { ...(options as LookupOptions), all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0)
      const trusted = hostAllowed(hostname.toLowerCase(), policy)
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
  const agent = new Agent({
    // Under a Node receiver's 5 s keep-alive, so this side ends an idle connection first.
    keepAliveTimeout: 4_000,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    connect: { lookup: guardedLookup, timeout: TIMEOUT_MS },
  })
  return (url, headers, body) =>
    new Promise((resolve, reject) => {
      let target: URL
      try {
        target = new URL(url)
      } catch {
        return reject(new CallbackRefused('not a valid callback URL'))
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        return reject(new CallbackRefused(`${target.protocol} is not a callback scheme`))
      }
      const host = hostOf(target)
      if (!hostAllowed(host, policy) && isIP(host) !== 0 && !addressAllowed(host, policy)) {
        return reject(new CallbackRefused(`${host} is a refused address`))
      }
      const flat: string[] = []
      headers.forEach((value, name) => {
        if (name !== 'host' && name !== 'content-length') flat.push(name, value)
      })
      flat.push('content-length', String(body.byteLength))
      try {
        agent.dispatch(
          {
            origin: target.origin,
            path: `${target.pathname}${target.search}`,
            method: 'POST',
            headers: flat,
            body,
          },
          new StatusOnly(resolve, reject),
        )
      } catch (error) {
        reject(error)
      }
    })
}

/** A dispatch handler that reads the receiver's status, drops its body, and settles when the exchange ends. */
class StatusOnly implements Dispatcher.DispatchHandler {
  #status = 0
  readonly #resolve: (status: number) => void
  readonly #reject: (error: unknown) => void

  constructor(resolve: (status: number) => void, reject: (error: unknown) => void) {
    this.#resolve = resolve
    this.#reject = reject
  }

  onRequestStart(): void {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    _headers: IncomingHttpHeaders,
  ): void {
    this.#status = status
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.#resolve(this.#status)
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    // The lookup's refusal arrives as the connect error; keep its class so it is not retried.
    this.#reject(error.name === 'CallbackRefused' ? new CallbackRefused(error.message) : error)
  }
}
