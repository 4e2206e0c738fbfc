/**
 * @module
 * Picks the async queue driver from EDGEFAAS_QUEUE_URL: empty for the embedded queue (a table in the
 * gateway's own store), `nats://host:4222[,nats://…]` for NATS JetStream, `sqs://<region>/<prefix>` for
 * SQS (`?endpoint=http://…` for an emulator or VPC endpoint). Only the scheme of a bad URL is echoed.
 */
import { createEmbeddedQueue } from '../../queue/embedded/driver.ts'
import type { QueueDriver } from '../../queue/types.ts'
import type { Store } from '../../store/types.ts'

export interface OpenQueueOptions {
  /** Replicas of the JetStream streams the NATS driver creates (EDGEFAAS_QUEUE_NATS_REPLICAS). */
  natsReplicas?: number
}

export async function openQueue(
  url: string,
  store: Store,
  options: OpenQueueOptions = {},
): Promise<QueueDriver> {
  const trimmed = url.trim()
  if (trimmed === '') return createEmbeddedQueue(store)
  if (/^(nats|tls):\/\//i.test(trimmed)) {
    const { openNatsQueue } = await import('./open-nats.ts')
    return openNatsQueue(
      trimmed.split(',').map((s) => s.trim()),
      options.natsReplicas ? { replicas: options.natsReplicas } : {},
    )
  }
  if (/^sqs:\/\//i.test(trimmed)) {
    const { openSqsQueue } = await import('./open-sqs.ts')
    return openSqsQueue(new URL(trimmed), store)
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1] ?? '(none)'
  throw new Error(
    `EDGEFAAS_QUEUE_URL: unsupported scheme "${scheme}"; use nats://…, sqs://<region>/<prefix>, or leave it empty`,
  )
}
