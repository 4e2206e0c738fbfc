/**
 * @module
 * Opens the connections of the message trigger sources the configuration allows: an SQS client when
 * EDGEFAAS_TRIGGERS_SQS_QUEUES lists queues (region and endpoint from EDGEFAAS_TRIGGERS_SQS_*, credentials
 * from the AWS SDK's chain), a NATS connection when EDGEFAAS_TRIGGERS_NATS_SUBJECTS lists subjects (to
 * EDGEFAAS_TRIGGERS_NATS_URL, or the servers of a nats:// EDGEFAAS_QUEUE_URL). The sources are runtime-
 * neutral and take these from here; `close()` ends the connections after the sources stopped.
 */
import type { Config } from '../../config.ts'
import type { GatewayDrivers } from '../../gateway.ts'
import type { TriggerContext, TriggerSource } from '../../triggers/types.ts'

export interface TriggerConnections {
  sources: NonNullable<GatewayDrivers['triggerSources']>
  close(): Promise<void>
}

export async function openTriggerConnections(config: Config): Promise<TriggerConnections> {
  const { triggers } = config
  const closers: Array<() => Promise<void>> = []
  const makers: Array<(context: TriggerContext) => TriggerSource> = []
  if (triggers.enabled && triggers.policy.sqsQueues.length > 0) {
    const { SQSClient } = await import('@aws-sdk/client-sqs')
    const { createSqsSource } = await import('../../triggers/sqs/source.ts')
    const client = new SQSClient({
      ...(triggers.sqsRegion ? { region: triggers.sqsRegion } : {}),
      ...(triggers.sqsEndpoint ? { endpoint: triggers.sqsEndpoint } : {}),
      // An emulator or VPC endpoint without credentials in the environment: emulators accept any.
      ...(triggers.sqsEndpoint && !process.env.AWS_ACCESS_KEY_ID
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    })
    closers.push(async () => client.destroy())
    makers.push((context) =>
      createSqsSource({ client, context, visibilitySeconds: triggers.sqsVisibilitySeconds }),
    )
  }
  const natsUrl = triggers.natsUrl || (/^(nats|tls):\/\//i.test(config.queueUrl) ? config.queueUrl : '')
  if (triggers.enabled && triggers.policy.natsSubjects.length > 0) {
    if (!natsUrl) {
      throw new Error(
        'EDGEFAAS_TRIGGERS_NATS_SUBJECTS is set but no NATS server is: set EDGEFAAS_TRIGGERS_NATS_URL (or a nats:// EDGEFAAS_QUEUE_URL)',
      )
    }
    const { connect } = await import('@nats-io/transport-node')
    const { createNatsSource } = await import('../../triggers/nats/source.ts')
    const servers = natsUrl.split(',').map((s) => s.trim())
    const connection = await connect({ servers, maxReconnectAttempts: -1, name: 'edgefaas-triggers' })
    closers.push(async () => {
      await connection.drain().catch(() => connection.close())
    })
    makers.push((context) => createNatsSource({ connection, context }))
  }
  return {
    sources: (context) => makers.map((make) => make(context)),
    async close() {
      for (const close of closers) await close().catch(() => undefined)
    },
  }
}
