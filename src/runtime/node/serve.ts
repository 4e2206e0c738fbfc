/**
 * @module
 * The Node gateway's HTTP listener. Invocations (`/function/*` whose raw path passes the path check,
 * on a listener that serves functions) go to the native transport (native-invoke.ts) on node:http's own
 * request and response objects; every other request — the API, the UI, `/healthz`, async calls, and
 * invocations the fetch handler answers itself (a path to redirect or refuse, a functions-only origin)
 * — goes to the gateway's fetch handler through @hono/node-server, unchanged.
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
import type { NativeAsyncSubmitter } from './native-async.ts'
import type { NativeInvoker } from './native-invoke.ts'

export interface ListenerOptions {
  fetch: GatewayFetch
  /** The listen address, as @hono/node-server builds request URLs with it. */
  hostname: string
  /** Absent: every request goes to `fetch` (EDGEFAAS_NATIVE_INVOKE=false). */
  native?: {
    invoke: NativeInvoker
    /** Whether this listener serves invocations for a request with this Host (gateway-fetch.ts `servesInvocations`). */
    servesInvocations(host: string | undefined): boolean
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
            native.invoke(req, res, pathname, query === -1 ? '' : url.slice(query))
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
  return createServer(listener)
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
  asyncSubmit.submit(req, res, pathname, query === -1 ? '' : url.slice(query))
  return true
}

/**
 * Runs `hook` before `server`'s request listener, inside that one listener: with two `request`
 * listeners node:events copies the listener list on every request. (A server with several listeners
 * already gets the hook prepended.)
 */
export function beforeEachRequest(
  server: Server,
  hook: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  const listeners = server.listeners('request') as RequestListener[]
  const only = listeners.length === 1 ? listeners[0] : undefined
  if (!only) {
    server.prependListener('request', hook)
    return
  }
  server.removeListener('request', only)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    hook(req, res)
    only.call(server, req, res)
  })
}
