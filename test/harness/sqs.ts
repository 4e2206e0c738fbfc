/**
 * @module
 * Starts the fauxqs SQS emulator in-process for tests, bound to 127.0.0.1 on a free port. fauxqs's own
 * `startFauxqs` listens on every interface, so this goes through its lower-level `buildApp` instead.
 */
import { buildApp } from 'fauxqs'

export interface SqsServer {
  /** `http://127.0.0.1:PORT`, to pass as the SQSClient `endpoint`. */
  endpoint: string
  stop(): Promise<void>
}

export async function startSqs(): Promise<SqsServer> {
  const app = buildApp({ logger: false })
  // Port 0 lets the kernel pick a free port atomically, so there is no probe-then-bind race.
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  let stopped = false
  return {
    endpoint: new URL(address).origin,
    async stop() {
      if (stopped) return
      stopped = true
      await app.close()
    },
  }
}
