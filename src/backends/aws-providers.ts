/**
 * @module
 * Builds the providers of `lambda` and `ecs` backends with AWS SDK v3 clients for the backend's region
 * and credentials (none: the SDK's default chain: environment, shared profile, web identity, ECS or
 * EC2 instance role). Control-plane clients retry throttling and transient failures (standard retry
 * mode, 5 attempts, backoff with jitter); the Lambda Invoke client makes one attempt, because a call the
 * SDK resent after a reset could run twice: resending is the gateway's failover's decision, which knows
 * when a call provably did not run. Closing the provider destroys its clients (their sockets).
 *
 * The SDK v3 is written for Node and browsers alike, so this file is runtime-neutral, but only the
 * Node runtime (and Deno, through it) hands it to the registry: Workers would have to bundle about a
 * megabyte of SDK per client and have no default credential chain, so there `lambda` and `ecs` backends
 * say that this runtime cannot reach them (docs/backends.md).
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { ECSClient } from '@aws-sdk/client-ecs'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { createEcsProvider, type EcsClients } from '../../providers/ecs/index.ts'
import { createLambdaProvider, type LambdaClients } from '../../providers/lambda/index.ts'
import type { Provider } from '../../providers/types.ts'
import type { HttpClient } from '../http/client.ts'
import type { AwsCredentials, EcsBackendOptions, LambdaBackendOptions } from './schema.ts'

/** One `lambda` or `ecs` backend, its credentials opened. */
export type AwsBackend =
  | {
      name: string
      kind: 'lambda'
      region: string
      credentials?: AwsCredentials | undefined
      options: LambdaBackendOptions
    }
  | {
      name: string
      kind: 'ecs'
      region: string
      credentials?: AwsCredentials | undefined
      options: EcsBackendOptions
    }

/** What the registry asks for an AWS backend's provider. */
export interface AwsProviderFactory {
  create(backend: AwsBackend, http: HttpClient | null): Provider
}

/** Where the SDK clients come from: real ones by default; tests hand in mocked or local-endpoint ones. */
export interface AwsClientSource {
  lambda(backend: AwsBackend): LambdaClients
  ecs(backend: AwsBackend): EcsClients
}

const CONTROL_ATTEMPTS = 5

function config(backend: AwsBackend, maxAttempts: number) {
  return {
    region: backend.region,
    maxAttempts,
    retryMode: 'standard' as const,
    ...(backend.credentials ? { credentials: backend.credentials } : {}),
  }
}

/** Real SDK clients for the backend's region and credentials. */
export const sdkClients: AwsClientSource = {
  lambda: (backend) => ({
    lambda: new LambdaClient(config(backend, CONTROL_ATTEMPTS)),
    invoke: new LambdaClient(config(backend, 1)),
    logs: new CloudWatchLogsClient(config(backend, CONTROL_ATTEMPTS)),
  }),
  ecs: (backend) => ({
    ecs: new ECSClient(config(backend, CONTROL_ATTEMPTS)),
    logs: new CloudWatchLogsClient(config(backend, CONTROL_ATTEMPTS)),
    secrets: new SecretsManagerClient(config(backend, CONTROL_ATTEMPTS)),
  }),
}

export function createAwsProviders(clients: AwsClientSource = sdkClients): AwsProviderFactory {
  return {
    create(backend, http) {
      if (backend.kind === 'lambda') {
        const made = clients.lambda(backend)
        return closing(
          createLambdaProvider({ ...backend.options, region: backend.region, clients: made }),
          Object.values(made),
        )
      }
      if (!http) throw new Error('this runtime has no HTTP client to call functions on ECS')
      const made = clients.ecs(backend)
      return closing(
        createEcsProvider({ ...backend.options, region: backend.region, clients: made, http }),
        Object.values(made),
      )
    },
  }
}

/** The provider, whose close() also destroys the clients made for it. */
function closing<P extends Provider>(provider: P, made: Array<{ destroy(): void }>): P {
  const close = provider.close.bind(provider)
  provider.close = async () => {
    await close()
    for (const client of made) client.destroy()
  }
  return provider
}
