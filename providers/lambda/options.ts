/**
 * @module
 * Options of the Lambda provider, checked once when it is created so a bad backend entry fails with a
 * message saying what to fix rather than on the first deploy.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { checkPrefix } from '../aws/names.ts'
import type { ProviderCapabilities } from '../types.ts'

/**
 * The SDK clients, made by whoever builds the provider (src/backends/aws-providers.ts from a backend's
 * region and credentials; tests with aws-sdk-client-mock or a local Invoke endpoint).
 */
export interface LambdaClients {
  /** Control plane (create, update, alias, provisioned concurrency, delete): the SDK retries throttling. */
  lambda: LambdaClient
  /**
   * Invoke only. Built with `maxAttempts: 1`: a call the SDK resent after a reset could run twice, so
   * resending is left to the gateway's failover, which knows when a call provably did not run.
   */
  invoke: LambdaClient
  logs: CloudWatchLogsClient
}

export interface LambdaProviderOptions {
  clients: LambdaClients
  region: string
  /** The execution role every function runs as (`arn:aws:iam::<account>:role/<name>`). */
  roleArn: string
  /** Start of every function name, so one account can hold several gateways' functions. Default `edgefaas-`. */
  functionPrefix?: string | undefined
  /** The alias calls go to and provisioned concurrency is set on. Default `live`. */
  alias?: string | undefined
  architecture?: 'x86_64' | 'arm64' | undefined
  /** Runs functions inside a VPC: both or neither. */
  subnets?: string[] | undefined
  securityGroups?: string[] | undefined
  /** Customer-managed key for the environment (secrets included); default the AWS-managed key. */
  kmsKeyArn?: string | undefined
  /** MemorySize when the function sets no `limits.memory`. Default 512. */
  memoryMiB?: number | undefined
  /** Timeout (seconds) when the function sets no `edgefaas.dev/timeout`. Default 30. */
  timeoutSeconds?: number | undefined
  /** How long a deploy waits for the function to become Active and its update Successful. Default 5 min. */
  waitSeconds?: number | undefined
  /** How often `follow` polls CloudWatch Logs. Default 2000. */
  logPollMs?: number | undefined
  /** How long a settled status is reused (Lambda's control plane allows 15 requests/s). Default 10000. */
  statusCacheMs?: number | undefined
  capabilities?: Partial<ProviderCapabilities> | undefined
}

export interface ResolvedLambdaOptions {
  clients: LambdaClients
  region: string
  roleArn: string
  prefix: string
  alias: string
  architecture: 'x86_64' | 'arm64' | undefined
  vpc: { SubnetIds: string[]; SecurityGroupIds: string[] } | undefined
  kmsKeyArn: string | undefined
  memoryMiB: number
  timeoutSeconds: number
  waitSeconds: number
  logPollMs: number
  statusCacheMs: number
  /** `lambda eu-west-1`, as messages show the backend. */
  shown: string
  capabilities: ProviderCapabilities
}

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/

export function resolveLambdaOptions(options: LambdaProviderOptions): ResolvedLambdaOptions {
  if (!REGION.test(options.region)) throw new TypeError('region must be an AWS region such as eu-west-1')
  if (!ROLE_ARN.test(options.roleArn))
    throw new TypeError(
      'roleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/edgefaas-functions',
    )
  const alias = options.alias ?? 'live'
  if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,127}$/.test(alias) || /^\d+$/.test(alias))
    throw new TypeError('alias must start with a letter and hold letters, digits, "-" or "_"')
  const subnets = options.subnets ?? []
  const groups = options.securityGroups ?? []
  if ((subnets.length === 0) !== (groups.length === 0))
    throw new TypeError(
      'subnets and securityGroups go together: give both to run functions in a VPC, or neither',
    )
  const memoryMiB = options.memoryMiB ?? 512
  if (!Number.isInteger(memoryMiB) || memoryMiB < 128 || memoryMiB > 10_240)
    throw new TypeError('memoryMiB must be a whole number from 128 to 10240')
  const timeoutSeconds = options.timeoutSeconds ?? 30
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900)
    throw new TypeError('timeoutSeconds must be a whole number from 1 to 900')
  return {
    clients: options.clients,
    region: options.region,
    roleArn: options.roleArn,
    prefix: checkPrefix(options.functionPrefix ?? 'edgefaas-', 'functionPrefix'),
    alias,
    architecture: options.architecture,
    vpc: subnets.length > 0 ? { SubnetIds: subnets, SecurityGroupIds: groups } : undefined,
    kmsKeyArn: options.kmsKeyArn,
    memoryMiB,
    timeoutSeconds,
    waitSeconds: options.waitSeconds ?? 300,
    logPollMs: options.logPollMs ?? 2_000,
    statusCacheMs: options.statusCacheMs ?? 10_000,
    shown: `lambda ${options.region}`,
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
