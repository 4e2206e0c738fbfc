/**
 * @module
 * Options of the ECS provider, checked once when it is created so a bad backend entry fails with a
 * message saying what to fix rather than on the first deploy.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { HttpClient } from '../../src/http/client.ts'
import { checkPrefix } from '../aws/names.ts'
import type { ProviderCapabilities } from '../types.ts'
import { checkInvokeUrl } from './invoke-url.ts'

/** SDK clients, made by whoever builds the provider (src/backends/aws-providers.ts, or tests). */
export interface EcsClients {
  ecs: ECSClient
  logs: CloudWatchLogsClient
  secrets: SecretsManagerClient
}

export interface EcsProviderOptions {
  clients: EcsClients
  /** Reaches the functions at `invokeUrl` (the runtime's HTTP client). */
  http: HttpClient
  region: string
  /** The ECS cluster's name or ARN. */
  cluster: string
  /** Subnets and security groups of the tasks (awsvpc networking, which Fargate requires). */
  subnets: string[]
  securityGroups: string[]
  /** Gives tasks a public IP (public subnets without a NAT gateway need one to pull images). Default false. */
  assignPublicIp?: boolean | undefined
  /** The role ECS pulls the image, writes logs and reads the secrets with. */
  executionRoleArn: string
  /** The role the function itself runs as (its AWS permissions), if any. */
  taskRoleArn?: string | undefined
  /**
   * Where functions are called: `{name}` and `{namespace}` are filled in and the call's path appended,
   * e.g. `http://internal-alb.example/{name}` or `http://{name}.edgefaas.local:8080` (invoke-url.ts).
   */
  invokeUrl: string
  /** Start of service, task definition family and secret names. Default `edgefaas-`. */
  servicePrefix?: string | undefined
  /** The awslogs group. Default `/edgefaas/functions`. */
  logGroup?: string | undefined
  /** CPU units (1024 = 1 vCPU) when a function asks for none. Default 256. */
  cpu?: number | undefined
  /** MiB when a function asks for none. Default 512. */
  memoryMiB?: number | undefined
  architecture?: 'X86_64' | 'ARM64' | undefined
  /** How long a function seen ready is called without asking ECS again. Default 5000. */
  readyCacheMs?: number | undefined
  logPollMs?: number | undefined
  capabilities?: Partial<ProviderCapabilities> | undefined
}

export interface ResolvedEcsOptions {
  clients: EcsClients
  http: HttpClient
  region: string
  cluster: string
  subnets: string[]
  securityGroups: string[]
  assignPublicIp: boolean
  executionRoleArn: string
  taskRoleArn: string | undefined
  invokeUrl: string
  prefix: string
  logGroup: string
  cpu: number
  memoryMiB: number
  architecture: 'X86_64' | 'ARM64' | undefined
  readyCacheMs: number
  logPollMs: number
  shown: string
  capabilities: ProviderCapabilities
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/

export function resolveEcsOptions(options: EcsProviderOptions): ResolvedEcsOptions {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region))
    throw new TypeError('region must be an AWS region such as eu-west-1')
  if (
    !/^([A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/.test(
      options.cluster,
    )
  )
    throw new TypeError('cluster must be an ECS cluster name or ARN')
  if (
    !Array.isArray(options.subnets) ||
    options.subnets.length === 0 ||
    !options.subnets.every((s) => /^subnet-[0-9a-f]+$/.test(s))
  )
    throw new TypeError(
      'subnets must list at least one subnet ID (subnet-…): Fargate tasks need awsvpc networking',
    )
  if (
    !Array.isArray(options.securityGroups) ||
    !options.securityGroups.every((s) => /^sg-[0-9a-f]+$/.test(s))
  )
    throw new TypeError('securityGroups must list security group IDs (sg-…)')
  if (!ROLE_ARN.test(options.executionRoleArn))
    throw new TypeError(
      'executionRoleArn must be an IAM role ARN (ECS pulls the image and writes logs with it)',
    )
  if (options.taskRoleArn !== undefined && !ROLE_ARN.test(options.taskRoleArn))
    throw new TypeError('taskRoleArn must be an IAM role ARN')
  const logGroup = options.logGroup ?? '/edgefaas/functions'
  if (!/^[\w./#-]{1,512}$/.test(logGroup))
    throw new TypeError('logGroup must be a CloudWatch Logs group name')
  const cpu = options.cpu ?? 256
  const memoryMiB = options.memoryMiB ?? 512
  if (!Number.isInteger(cpu) || cpu < 256 || cpu > 16_384)
    throw new TypeError('cpu must be whole CPU units from 256 to 16384')
  if (!Number.isInteger(memoryMiB) || memoryMiB < 512 || memoryMiB > 122_880)
    throw new TypeError('memoryMiB must be a whole number from 512 to 122880')
  return {
    clients: options.clients,
    http: options.http,
    region: options.region,
    cluster: options.cluster,
    subnets: options.subnets,
    securityGroups: options.securityGroups,
    assignPublicIp: options.assignPublicIp ?? false,
    executionRoleArn: options.executionRoleArn,
    taskRoleArn: options.taskRoleArn,
    invokeUrl: checkInvokeUrl(options.invokeUrl),
    prefix: checkPrefix(options.servicePrefix ?? 'edgefaas-', 'servicePrefix'),
    logGroup,
    cpu,
    memoryMiB,
    architecture: options.architecture,
    readyCacheMs: options.readyCacheMs ?? 5_000,
    logPollMs: options.logPollMs ?? 2_000,
    shown: `ecs ${options.region}/${options.cluster.replace(/^.*cluster\//, '')}`,
    capabilities: {
      scale: true,
      scaleToZero: true,
      logs: true,
      secrets: true,
      namespaces: true,
      ...options.capabilities,
    },
  }
}
