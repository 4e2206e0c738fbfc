/**
 * @module
 * `EDGEFAAS_QUEUE_URL=sqs://<region>/<queue-name-prefix>[?endpoint=<url>]`: the SQS driver with the
 * gateway's store as the claim check for bodies over SQS's message limit. Credentials come from the AWS
 * SDK's usual chain (environment, profile, instance role); with an `endpoint` (an emulator, a VPC
 * endpoint) and no credentials in the environment, placeholder ones are used, as emulators accept any.
 */
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs'
import { createSqsQueue } from '../../queue/sqs/driver.ts'
import type { QueueDriver } from '../../queue/types.ts'
import type { Store } from '../../store/types.ts'

export function openSqsQueue(url: URL, store: Store): QueueDriver {
  const region = url.hostname
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error(
      'EDGEFAAS_QUEUE_URL: sqs://<region>/<prefix> needs an AWS region, e.g. sqs://eu-west-1/edgefaas-',
    )
  }
  const prefix = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'edgefaas-'
  const endpoint = url.searchParams.get('endpoint')
  const config: SQSClientConfig = { region }
  if (endpoint) {
    config.endpoint = endpoint
    if (!process.env.AWS_ACCESS_KEY_ID)
      config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
  }
  return createSqsQueue({
    client: new SQSClient(config),
    queueNamePrefix: prefix,
    payloads: {
      put: (id, body) => store.putPayload(id, body),
      get: (id) => store.getPayload(id),
      delete: async (id) => {
        await store.deletePayload(id)
      },
    },
  })
}
