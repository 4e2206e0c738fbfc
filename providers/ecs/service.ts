/**
 * @module
 * A function's ECS service: what CreateService/UpdateService are given, and what its state says about
 * replicas. `replicas` is the desiredCount; `availableReplicas` the running tasks of the PRIMARY
 * deployment (the newest task definition), so tasks of an older revision still draining after an update
 * do not count as the function being up. Two annotations tie the service to the invoke endpoint the
 * admin set up: `edgefaas.dev/ecs-target-group` (an ALB target group ARN: tasks are registered in it)
 * and `edgefaas.dev/ecs-service-registry` (a Cloud Map service ARN: tasks get a DNS name).
 */
import type { CreateServiceCommandInput, Service } from '@aws-sdk/client-ecs'
import { type DesiredFunction, type ObservedFunction, ProviderError } from '../types.ts'
import type { ResolvedEcsOptions } from './options.ts'
import { CONTAINER, PORT } from './task-definition.ts'

export const TARGET_GROUP_ANNOTATION = 'edgefaas.dev/ecs-target-group'
export const SERVICE_REGISTRY_ANNOTATION = 'edgefaas.dev/ecs-service-registry'

const TARGET_GROUP =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/
const REGISTRY = /^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]+:\d{12}:service\/srv-[a-z0-9]+$/

/** The settings CreateService and UpdateService share. */
export function serviceSettings(desired: DesiredFunction, o: ResolvedEcsOptions, label: string) {
  const annotations = desired.spec.annotations ?? {}
  const targetGroup = annotations[TARGET_GROUP_ANNOTATION]
  const registry = annotations[SERVICE_REGISTRY_ANNOTATION]
  if (targetGroup !== undefined && !TARGET_GROUP.test(targetGroup))
    throw new ProviderError(
      'INVALID',
      `deploying ${label}: ${TARGET_GROUP_ANNOTATION} must be an ALB target group ARN`,
    )
  if (registry !== undefined && !REGISTRY.test(registry))
    throw new ProviderError(
      'INVALID',
      `deploying ${label}: ${SERVICE_REGISTRY_ANNOTATION} must be a Cloud Map service ARN`,
    )
  return {
    desiredCount: desired.replicas,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: o.subnets,
        securityGroups: o.securityGroups,
        assignPublicIp: o.assignPublicIp ? ('ENABLED' as const) : ('DISABLED' as const),
      },
    },
    loadBalancers: targetGroup
      ? [{ targetGroupArn: targetGroup, containerName: CONTAINER, containerPort: PORT }]
      : [],
    serviceRegistries: registry ? [{ registryArn: registry }] : [],
  } satisfies Partial<CreateServiceCommandInput>
}

/** What a described service says about replicas; null when it is gone or being deleted. */
export function observedFrom(service: Service | undefined): ObservedFunction | null {
  if (!service || service.status === 'INACTIVE' || service.status === 'DRAINING') return null
  const replicas = service.desiredCount ?? 0
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY')
  const running = primary ? (primary.runningCount ?? 0) : (service.runningCount ?? 0)
  return { replicas, availableReplicas: Math.min(running, replicas) }
}
