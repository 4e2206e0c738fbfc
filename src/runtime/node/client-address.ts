/**
 * @module
 * The caller's address on Node, as `ip:port` (Go's RemoteAddr form, which OpenFaaS puts in
 * X-Forwarded-For), from the socket @hono/node-server hands over as `env.incoming`. A request a worker
 * process forwarded to the primary (runtime/node/cluster/) carries its real caller's address, recorded
 * here by the primary's internal listener once it has checked the forwarding secret.
 */
import type { IncomingMessage } from 'node:http'

const forwarded = new WeakMap<IncomingMessage, string>()

/** Records the caller of a request a worker process forwarded (only after its secret was checked). */
export function markForwardedClient(req: IncomingMessage, address: string): void {
  forwarded.set(req, address)
}

/** The caller of a forwarded request; undefined for a request that came straight from its caller. */
export function forwardedClient(req: IncomingMessage): string | undefined {
  return forwarded.get(req)
}

/** A socket's peer as `ip:port` (an IPv6 address bracketed); undefined once the socket has no peer. */
export function socketAddress(socket: {
  remoteAddress?: string | undefined
  remotePort?: number | undefined
}) {
  const { remoteAddress, remotePort } = socket
  if (!remoteAddress) return undefined
  return `${remoteAddress.includes(':') ? `[${remoteAddress}]` : remoteAddress}:${remotePort ?? 0}`
}

/** The caller of a request node:http parsed: the one a worker process forwarded for, else the socket's peer. */
export function incomingClient(req: IncomingMessage): string | undefined {
  return forwarded.get(req) || socketAddress(req.socket)
}

export function clientAddress(_request: Request, env: unknown): string | undefined {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming
  return incoming ? incomingClient(incoming) : undefined
}
