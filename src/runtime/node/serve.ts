/**
 * @module
 * The Node gateway's HTTP listener. Invocations (`/function/*` whose raw path passes the path check,
 * on a listener that serves functions) go to the native transport (native-invoke.ts) on node:http's own
 * request and response objects; every other request — the API, the UI, `/healthz`, async calls, and
 * invocations the fetch handler answers itself (a path to redirect or refuse, a functions-only origin)
 * — goes to the gateway's fetch handler through @hono/node-server, unchanged.
 *
 * With the fast door on (EDGEFAAS_WIRE, the default), a plain invocation does not even reach node:http:
 * wire/server/door.ts reads it off the raw socket and runs the same native invoker; the first request it does
 * not take hands the connection to node:http, which then serves it as described above.
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { GatewayFetch } from '../../gateway-fetch.ts'
import { checkPath } from '../../routing/clean-path.ts'
import type { HookedResponse } from './caller-response.ts'
import { invokeIncoming } from './incoming-invoke.ts'
import { type NativeAsyncSubmitter, submitIncoming } from './native-async.ts'
import type { NativeInvoker } from './native-invoke.ts'
import { installWireDoor, wireDoorOf } from './wire/server/door.ts'

export interface ListenerOptions {
  fetch: GatewayFetch
  /** The listen address, as @hono/node-server builds request URLs with it. */
  hostname: string
  /** Absent: every request goes to `fetch` (EDGEFAAS_NATIVE_INVOKE=false). */
  native?: {
    invoke: NativeInvoker
    /** Whether this listener serves invocations for a request with this Host (gateway-fetch.ts `servesInvocations`). */
    servesInvocations(host: string | undefined): boolean
    /**
     * The fast door (wire/server/): plain invocations read and answered on the raw socket, every other
     * request handed to node:http with its connection. false: node:http parses everything (EDGEFAAS_WIRE).
     */
    wire?: boolean
  }
  /**
   * `POST /async-function/*` on node:http's own objects (native-async.ts), for a Host `serves` accepts
   * (not a custom domain's); absent: through `fetch`.
   */
  asyncSubmit?: {
    submit: NativeAsyncSubmitter
    serves(host: string | undefined): boolean
  }
  /** What takes every other request instead of `fetch` (a worker process: the relay to the primary). */
  fallback?: RequestListener
}

const PREFIX = '/function/'
const ASYNC_PREFIX = '/async-function/'
/**
 * Raw request targets the native transport takes as they are: characters a WHATWG URL leaves unchanged
 * in a path and query. Anything else (quotes, braces, non-ASCII…) goes through the fetch handler, whose
 * `Request` URL normalises it, so both doors forward exactly the same path.
 */
const PLAIN_TARGET = /^[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*$/

export function createGatewayServer(options: ListenerOptions): Server {
  const fallback = options.fallback ?? getRequestListener(options.fetch, { hostname: options.hostname })
  const { native, asyncSubmit } = options
  const invocations = native
    ? (req: IncomingMessage, res: ServerResponse) => {
        const url = req.url ?? ''
        if (url.startsWith(PREFIX) && PLAIN_TARGET.test(url)) {
          const query = url.indexOf('?')
          const pathname = query === -1 ? url : url.slice(0, query)
          if (checkPath(pathname).kind === 'ok' && native.servesInvocations(req.headers.host)) {
            invokeIncoming(native.invoke, req, res, pathname, query === -1 ? '' : url.slice(query))
            return
          }
        }
        void fallback(req, res)
      }
    : (req: IncomingMessage, res: ServerResponse) => void fallback(req, res)
  const listener = asyncSubmit
    ? (req: IncomingMessage, res: ServerResponse) => {
        const url = req.url ?? ''
        if (url.startsWith(ASYNC_PREFIX) && takeAsync(asyncSubmit, req, res, url)) return
        invocations(req, res)
      }
    : invocations
  const server = createServer(listener)
  if (native?.wire) {
    installWireDoor(server, {
      invoke: native.invoke,
      ...(asyncSubmit ? { submitAsync: asyncSubmit.submit } : {}),
      // The node:http door's checks above (the parser already held the target to PLAIN_TARGET's characters).
      route(method, target, host) {
        const async = target.startsWith(ASYNC_PREFIX)
        if (async ? !asyncSubmit || method !== 'POST' : !target.startsWith(PREFIX)) return null
        const query = target.indexOf('?')
        const pathname = query === -1 ? target : target.slice(0, query)
        if (checkPath(pathname).kind !== 'ok') return null
        if (async ? !asyncSubmit?.serves(host) : !native.servesInvocations(host)) return null
        return { pathname, search: query === -1 ? '' : target.slice(query), async }
      },
    })
  }
  return server
}

/** Hands a plain `POST /async-function/…` with a clean path to the native door; false leaves it to `fetch`. */
function takeAsync(
  asyncSubmit: NonNullable<ListenerOptions['asyncSubmit']>,
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
): boolean {
  if (req.method !== 'POST' || !PLAIN_TARGET.test(url)) return false
  const query = url.indexOf('?')
  const pathname = query === -1 ? url : url.slice(0, query)
  if (checkPath(pathname).kind !== 'ok' || !asyncSubmit.serves(req.headers.host)) return false
  submitIncoming(asyncSubmit.submit, req, res, pathname, query === -1 ? '' : url.slice(query))
  return true
}

/**
 * Runs `hook` before `server`'s request listener, inside that one listener: with two `request`
 * listeners node:events copies the listener list on every request. (A server with several listeners
 * already gets the hook prepended.) The fast door, if the server has one, runs it before each of its
 * requests too; on both doors the last hook added runs first.
 */
export function beforeEachRequest(server: Server, hook: (res: HookedResponse) => void): void {
  wireDoorOf(server)?.hooks.unshift(hook)
  const listeners = server.listeners('request') as RequestListener[]
  const only = listeners.length === 1 ? listeners[0] : undefined
  if (!only) {
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => hook(res))
    return
  }
  server.removeListener('request', only)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    hook(res)
    only.call(server, req, res)
  })
}
