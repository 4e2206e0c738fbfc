// Async scenarios on SQS (the fauxqs emulator on a free loopback port), with the claim check in the store.
import { startSqs } from '../harness/sqs.ts'
import { runAsyncScenarios } from './async-scenarios.ts'

runAsyncScenarios('SQS', async () => {
  const sqs = await startSqs()
  return {
    env: {
      EDGEFAAS_QUEUE_URL: `sqs://us-east-1/edgefaas-test-?endpoint=${encodeURIComponent(sqs.endpoint)}`,
    },
    stop: () => sqs.stop(),
  }
})
