/**
 * What Node-side global setups hand to tests through vitest's provide/inject: plain data only (it is
 * serialised), here the URLs of servers a workerd test cannot start itself.
 */
export interface WorkerdBackends {
  /** A real edgefaas gateway on Node (local provider, basic auth on). */
  edgefaas: { url: string; user: string; password: string }
  /** A bare server with fixed answers: `/gzip` (gzip body), `/redirect` (302). */
  raw: string
  /**
   * A callback receiver: POSTs to `url` are recorded by `X-Call-Id`; GET `received` + `?id=<call id>`
   * answers them as JSON (`[{ headers, body }]`), since a workerd test cannot read Node's memory.
   */
  callbacks: { url: string; received: string }
  /** `envProcess` command lines of fixture functions the Node backend can run. */
  commands: { flaky: string }
}

declare module 'vitest' {
  interface ProvidedContext {
    workerdBackends: WorkerdBackends
  }
}
