import { describe } from 'vitest'
import { startNats } from '../harness/nats.ts'
import { startSqs } from '../harness/sqs.ts'
import { runCrashScenario } from './crash-scenario.ts'

describe('worker crash', () => {
  runCrashScenario('embedded queue', async () => ({ env: {}, stop: async () => {} }))
  runCrashScenario('NATS JetStream', async () => {
    const nats = await startNats()
    return { env: { EDGEFAAS_QUEUE_URL: nats.url }, stop: () => nats.stop() }
  })
  runCrashScenario('SQS', async () => {
    const sqs = await startSqs()
    const url = `sqs://us-east-1/edgefaas-crash-?endpoint=${encodeURIComponent(sqs.endpoint)}`
    return { env: { EDGEFAAS_QUEUE_URL: url }, stop: () => sqs.stop() }
  })
})
