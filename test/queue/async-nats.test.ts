// Async scenarios on NATS JetStream (a real nats-server started on a free loopback port).
import { startNats } from '../harness/nats.ts'
import { runAsyncScenarios } from './async-scenarios.ts'

runAsyncScenarios('NATS JetStream', async () => {
  const nats = await startNats()
  return { env: { EDGEFAAS_QUEUE_URL: nats.url }, stop: () => nats.stop() }
})
