/**
 * @module
 * The ecs provider: OpenFaaS functions as ECS services on Fargate. Runtime-neutral: it talks to AWS
 * through the SDK v3 clients it is given and to the functions through the runtime's HttpClient.
 *
 * - apply: the secrets bundle to Secrets Manager, RegisterTaskDefinition (task-definition.ts), then
 *   CreateService or UpdateService with desiredCount = replicas (service.ts); the revision replaced is
 *   deregistered;
 * - status from DescribeServices (desiredCount, the PRIMARY deployment's running tasks); scale:
 *   UpdateService desiredCount (zero included); remove: DeleteService (force), every revision of the
 *   family deregistered, the secret deleted;
 * - invoke: the backend's `invokeUrl` with the function's name filled in (invoke-url.ts: an ALB rule or
 *   a Cloud Map name per function), body streamed both ways, after a cached readiness check;
 * - logs: the awslogs driver's streams in CloudWatch Logs.
 *
 * docs/backends.md ("AWS ECS on Fargate") has the IAM permissions and an example.
 */
import { type EcsProviderOptions, resolveEcsOptions } from './options.ts'
import { EcsProvider } from './provider.ts'

export type { EcsClients, EcsProviderOptions } from './options.ts'
export type { EcsProvider } from './provider.ts'
export { SERVICE_REGISTRY_ANNOTATION, TARGET_GROUP_ANNOTATION } from './service.ts'

/** Creates the provider; throws a TypeError saying what to fix when an option is wrong. Makes no request. */
export function createEcsProvider(options: EcsProviderOptions): EcsProvider {
  return new EcsProvider(resolveEcsOptions(options))
}
