/**
 * @module
 * A function as an ECS task definition for Fargate: one container, `function`, running the OpenFaaS
 * image as it is, its watchdog on port 8080 (`http`), env from `envVars` and `envProcess` (as `fprocess`),
 * the task size from `limits`/`requests` (fargate-size.ts), logs through the awslogs driver to
 * `<logGroup>` in streams `<service>/function/<task id>`, and the secrets bundle injected by ECS from
 * Secrets Manager as `EDGEFAAS_SECRETS` (providers/aws/secrets-bundle.ts).
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import { SECRETS_ENV } from '../aws/secrets-bundle.ts'
import type { DesiredFunction } from '../types.ts'
import { fargateSize } from './fargate-size.ts'
import type { ResolvedEcsOptions } from './options.ts'

export const CONTAINER = 'function'
export const PORT = 8080

export function taskDefinition(
  desired: DesiredFunction,
  family: string,
  secretArn: string | null,
  o: ResolvedEcsOptions,
  label: string,
): RegisterTaskDefinitionCommandInput {
  const { spec } = desired
  const size = fargateSize(spec.limits, spec.requests, { cpu: o.cpu, memoryMiB: o.memoryMiB }, label)
  const env: Record<string, string> = { port: String(PORT), ...spec.envVars }
  if (spec.envProcess) env.fprocess = spec.envProcess
  return {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: size.cpu,
    memory: size.memory,
    executionRoleArn: o.executionRoleArn,
    ...(o.taskRoleArn ? { taskRoleArn: o.taskRoleArn } : {}),
    ...(o.architecture
      ? { runtimePlatform: { cpuArchitecture: o.architecture, operatingSystemFamily: 'LINUX' } }
      : {}),
    containerDefinitions: [
      {
        name: CONTAINER,
        image: spec.image,
        essential: true,
        portMappings: [{ containerPort: PORT, protocol: 'tcp', name: 'http' }],
        environment: Object.entries(env)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, value]) => ({ name, value })),
        ...(secretArn ? { secrets: [{ name: SECRETS_ENV, valueFrom: secretArn }] } : {}),
        ...(spec.readOnlyRootFilesystem ? { readonlyRootFilesystem: true } : {}),
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': o.logGroup,
            'awslogs-region': o.region,
            'awslogs-stream-prefix': family,
            'awslogs-create-group': 'true',
          },
        },
      },
    ],
    tags: [
      { key: 'managed-by', value: 'edgefaas' },
      { key: 'edgefaas.dev/function', value: desired.name },
      { key: 'edgefaas.dev/namespace', value: desired.namespace },
    ],
  }
}
