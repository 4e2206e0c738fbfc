/**
 * @module
 * The fast door on a node:http `Server`: plain invocations are read and answered on the raw socket
 * (connection.ts), everything else by node:http as before. The server stays the one `http.Server` the
 * gateway listens, closes and shares with its worker processes; the door takes over its `connection`
 * event — each new connection starts on the fast door, and node:http's own connection listener (kept
 * here) is run on it the moment a request needs node:http.
 *
 * node:http's connection bookkeeping does not see the fast door's connections, so the server's
 * `closeIdleConnections` and `closeAllConnections` (which `close()` and a worker's drain call) are
 * extended to close them too.
 */
import http, { type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { HookedResponse } from '../../caller-response.ts'
import { SMALL_BODY_BYTES } from '../../incoming-body.ts'
import type { NativeAsyncSubmitter } from '../../native-async.ts'
import type { NativeInvoker } from '../../native-invoke.ts'
import { WireConnection } from './connection.ts'
import type { ParseLimits } from './parse-request.ts'

/** Where a fast request goes: its checked path and query, and whether it is an async submission. */
export interface WireRoute {
  pathname: string
  search: string
  /** `POST /async-function/…`, for `submitAsync`; else an invocation, for `invoke`. */
  async: boolean
}

export interface WireDoorOptions {
  invoke: NativeInvoker
  /** The native async door (native-async.ts); absent: async submissions are node:http's. */
  submitAsync?: NativeAsyncSubmitter
  /**
   * The checked path and query of a raw target the door may take for this method and Host (serve.ts
   * applies the same checks as node:http's door); null: node:http takes the connection.
   */
  route(method: string, target: string, host: string): WireRoute | null
}

type ConnectionListener = (this: Server, socket: Socket) => void

export interface WireDoor {
  readonly server: Server
  readonly limits: ParseLimits
  readonly invoke: NativeInvoker
  readonly submitAsync: NativeAsyncSubmitter | undefined
  /** The per-request hooks (serve.ts beforeEachRequest), the last added first. */
  readonly hooks: Array<(res: HookedResponse) => void>
  route(method: string, target: string, host: string): WireRoute | null
  /** keepAliveTimeout + keepAliveTimeoutBuffer, as node:http arms it on an idle connection. */
  idleTimeoutMs(): number
  requestTimeouts(): { headersMs: number; requestMs: number }
  /** Runs node:http's own connection listener on `socket`. */
  handOff(socket: Socket): void
  forget(connection: WireConnection): void
}

const doors = new WeakMap<Server, WireDoor>()

/** The fast door installed on `server`, if any (serve.ts beforeEachRequest registers hooks with it). */
export function wireDoorOf(server: Server): WireDoor | undefined {
  return doors.get(server)
}

export function installWireDoor(server: Server, options: WireDoorOptions): WireDoor {
  const listeners = server.listeners('connection') as ConnectionListener[]
  const original = listeners[0]
  if (listeners.length !== 1 || !original)
    throw new Error('the fast door expects node:http’s one connection listener')
  server.removeListener('connection', original)
  const connections = new Set<WireConnection>()
  const headerPairs = typeof server.maxHeadersCount === 'number' && server.maxHeadersCount > 0
  const door: WireDoor = {
    server,
    limits: {
      maxHead: (server as Server & { maxHeaderSize?: number }).maxHeaderSize ?? http.maxHeaderSize,
      maxBody: SMALL_BODY_BYTES,
      // node:http keeps at most 2000 raw entries (lib/_http_common.js MAX_HEADER_PAIRS) unless told.
      maxHeaders: headerPairs ? (server.maxHeadersCount as number) : 1000,
    },
    invoke: options.invoke,
    submitAsync: options.submitAsync,
    hooks: [],
    route: options.route,
    idleTimeoutMs() {
      const timeout = finite(server.keepAliveTimeout)
      const buffer = (server as Server & { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer
      return timeout > 0 ? timeout + (buffer === undefined ? 1_000 : finite(buffer)) : 0
    },
    requestTimeouts() {
      return { headersMs: finite(server.headersTimeout), requestMs: finite(server.requestTimeout) }
    },
    handOff(socket) {
      original.call(server, socket)
    },
    forget(connection) {
      connections.delete(connection)
    },
  }
  server.on('connection', (socket: Socket) => {
    // A per-socket request limit is node:http's to count and announce (`Keep-Alive: max=`).
    if (server.maxRequestsPerSocket) {
      original.call(server, socket)
      return
    }
    connections.add(new WireConnection(socket, door))
  })
  const closeIdle = server.closeIdleConnections
  server.closeIdleConnections = function closeIdleConnections() {
    closeIdle.call(this)
    for (const connection of connections) if (connection.idle) connection.socket.destroy()
  }
  const closeAll = server.closeAllConnections
  server.closeAllConnections = function closeAllConnections() {
    closeAll.call(this)
    for (const connection of connections) connection.socket.destroy()
  }
  doors.set(server, door)
  return door
}

function finite(value: number | undefined | null): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}
