/**
 * The few Deno APIs the Deno runtime uses, declared for the project's `tsc` (which runs with Node's
 * types), as Deno 2.9's own `lib.deno.d.ts` declares them. `deno check` cannot take this role: it applies
 * its DOM typings to the whole import graph, and those reject code that is correct for Node and workerd
 * (`Uint8Array<ArrayBufferLike>` as a body). Deno never loads this file; the Deno runtime test runs the
 * real thing.
 */
declare namespace Deno {
  interface NetAddr {
    transport: 'tcp' | 'udp'
    hostname: string
    port: number
  }

  interface ServeHandlerInfo {
    remoteAddr: NetAddr
  }

  interface ServeOptions {
    port?: number
    hostname?: string
    signal?: AbortSignal
    onListen?: (localAddr: NetAddr) => void
    onError?: (error: unknown) => Response | Promise<Response>
  }

  interface HttpServer {
    readonly addr: NetAddr
    readonly finished: Promise<void>
    /** Stops accepting connections and resolves once in-flight requests are answered. */
    shutdown(): Promise<void>
  }

  function serve(
    options: ServeOptions,
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): HttpServer

  type Signal = 'SIGINT' | 'SIGTERM'
  function addSignalListener(signal: Signal, handler: () => void): void

  const env: { toObject(): Record<string, string> }
  const version: { deno: string }
  function exit(code?: number): never
}
