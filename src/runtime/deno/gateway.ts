/**
 * @module
 * The Deno runtime: the same drivers as on Node, opened by the Node runtime's openers through Deno's Node
 * compatibility (`node:sqlite` for the embedded store, postgres.js, the NATS and SQS clients, prom-client,
 * the local provider's child processes, the callback sender's guarded `node:http`), handed to the core's
 * `createGateway` and served with `Deno.serve`. The background tick runs on the Node runtime's timer loop
 * and the async worker in-process, as on Node.
 */
import type { Config } from '../../config.ts'
import type { GatewayDeps } from '../../deps.ts'
import { createGateway } from '../../gateway.ts'
import type { GatewayFetch } from '../../gateway-fetch.ts'
import type { Logger } from '../../logger.ts'
import { shownBase } from '../node/announce.ts'
import type { ResolvedCredentials } from '../node/credentials.ts'
import { openHostDrivers } from '../node/drivers.ts'
import { startLoop } from '../node/loop.ts'
import { clientAddress } from './client-address.ts'
import { pinnedNodeBinary } from './node-binary.ts'

const WORKER_STOP_DEADLINE_MS = 10_000

export interface DenoGateway {
  /** null when EDGEFAAS_ROLES leaves out `api` (no listener). */
  url: string | null
  /** The functions-only listener's URL (EDGEFAAS_FUNCTIONS_PORT); null when functions share `url`. */
  functionsUrl: string | null
  deps: GatewayDeps
  credentials: ResolvedCredentials | null
  /** Stops the loop, the worker, the listeners, every function process, the queue and the store; idempotent. */
  close(): Promise<void>
}

export async function startDenoGateway(config: Config, logger: Logger): Promise<DenoGateway> {
  const host = await openHostDrivers(config, logger, {
    clientAddress,
    nodePath: pinnedNodeBinary(),
    // prom-client's Node process series are partly stubs on Deno (event loop lag, active handles).
    processMetrics: false,
  })
  const gateway = createGateway(host.drivers)
  let functionsServer: Deno.HttpServer | null = null
  let apiServer: Deno.HttpServer | null = null
  // EDGEFAAS_ROLES without `api`: background work and the async worker only, no listener (as on Node).
  const listen = config.cluster.roles.has('api')
  try {
    // Bound first, so the API's answer to /function/* can name the port actually chosen.
    if (listen && config.functionsPort !== undefined) {
      functionsServer = serve(gateway.functionsFetch().functions, config.functionsPort, config.host)
    }
    const fetch = functionsServer
      ? gateway.functionsFetch(`port ${functionsServer.addr.port}`).api
      : gateway.fetch
    if (listen) apiServer = serve(fetch, config.port, config.host)
  } catch (error) {
    await functionsServer?.shutdown()
    await host.close()
    throw error
  }
  const servers = [apiServer, functionsServer].filter((server) => server !== null)
  const base = shownBase(config.host)

  const worker = gateway.worker
  worker?.start()
  gateway.triggers?.start()
  const loop = startLoop('reconcile', gateway.tick, config.reconcileIntervalMs, logger)
  const autoscaleLoop = startLoop('autoscale', gateway.autoscale, config.autoscale.intervalMs, logger)
  let closing: Promise<void> | undefined
  return {
    url: apiServer ? `${base}:${apiServer.addr.port}` : null,
    functionsUrl: functionsServer ? `${base}:${functionsServer.addr.port}` : null,
    deps: gateway.deps,
    credentials: host.credentials,
    close() {
      closing ??= (async () => {
        await Promise.all([loop.stop(), autoscaleLoop.stop()])
        await gateway.triggers?.stop()
        // Running async calls get a moment to finish; the rest go back to the queue for another worker.
        await worker?.stop(WORKER_STOP_DEADLINE_MS)
        await Promise.all(servers.map((server) => server.shutdown()))
        await host.close()
      })()
      return closing
    },
  }
}

/** Listens now (Deno.serve binds synchronously and throws when the port is taken); port 0 picks a free one. */
function serve(fetch: GatewayFetch, port: number, hostname: string): Deno.HttpServer {
  return Deno.serve(
    // Without onListen, Deno prints its own "Listening on" line.
    { port, hostname, onListen: () => {} },
    // The connection info goes in as `env`, where clientAddress reads it.
    (request, info) => fetch(request, info),
  )
}
