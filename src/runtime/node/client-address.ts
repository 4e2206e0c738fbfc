/**
 * @module
 * The caller's address on Node, as `ip:port` (Go's RemoteAddr form, which OpenFaaS puts in
 * X-Forwarded-For), from the socket @hono/node-server hands over as `env.incoming`.
 */
import type { IncomingMessage } from 'node:http'

export function clientAddress(_request: Request, env: unknown): string | undefined {
  const socket = (env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket
  if (!socket?.remoteAddress) return undefined
  const ip = socket.remoteAddress.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress
  return `${ip}:${socket.remotePort ?? 0}`
}
