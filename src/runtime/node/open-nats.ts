/**
 * @module
 * `EDGEFAAS_QUEUE_URL=nats://host:4222[,nats://…]`: opens the NATS connection with the Node transport
 * and hands it to the runtime-neutral JetStream driver, which drains it on close. Reconnects are on and
 * unlimited, so a restarted or failed-over server is picked up without restarting the gateway.
 */
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node'
import { createNatsQueue, type NatsQueueOptions } from '../../queue/nats/driver.ts'
import type { QueueDriver } from '../../queue/types.ts'

export interface OpenNatsOptions
  extends Omit<NatsQueueOptions, 'connection' | 'ownsConnection' | 'inboxPrefix'> {
  /** Further client options (credentials, TLS, reconnect tuning). */
  connectOptions?: Omit<NodeConnectionOptions, 'servers'>
}

export async function openNatsQueue(
  servers: string | string[],
  options: OpenNatsOptions = {},
): Promise<QueueDriver> {
  const { connectOptions, ...queueOptions } = options
  const connection = await connect({ maxReconnectAttempts: -1, ...connectOptions, servers })
  try {
    return await createNatsQueue({
      ...queueOptions,
      connection,
      ownsConnection: true,
      ...(connectOptions?.inboxPrefix ? { inboxPrefix: connectOptions.inboxPrefix } : {}),
    })
  } catch (error) {
    await connection.close()
    throw error
  }
}
