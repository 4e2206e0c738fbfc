/**
 * @module
 * What Lambda is told about one function: a container-image function (PackageType Image) whose image
 * is the OpenFaaS image as it is, reached through the Lambda Web Adapter. The adapter, copied into the
 * image as an extension (docs/backends.md, "AWS Lambda"), turns each Invoke's HTTP event into a request to
 * the watchdog on `AWS_LWA_PORT` (8080, the watchdog's port) once `AWS_LWA_READINESS_CHECK_PATH`
 * (`/_/health`, the watchdog's health route) answers. The mapping:
 *
 * - `image` → ImageUri (Lambda takes images from Amazon ECR only);
 * - `envVars` + `envProcess` (as `fprocess`) + the adapter's variables + secrets → Environment;
 * - `limits.memory` (else `requests.memory`) → MemorySize; the `edgefaas.dev/timeout` annotation → Timeout;
 * - role, architecture, VPC and KMS key from the backend's options.
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import { parseDurationMs } from '../../src/contract/duration.ts'
import { TIMEOUT_ANNOTATION } from '../../src/contract/labels.ts'
import { memoryMiB } from '../aws/quantity.ts'
import { SECRETS_ENV, secretsBundle } from '../aws/secrets-bundle.ts'
import { type DesiredFunction, ProviderError } from '../types.ts'
import type { ResolvedLambdaOptions } from './options.ts'

/** The Lambda Web Adapter's settings for an OpenFaaS watchdog (user envVars may override them). */
export const WEB_ADAPTER_ENV: Readonly<Record<string, string>> = {
  AWS_LWA_PORT: '8080',
  AWS_LWA_READINESS_CHECK_PATH: '/_/health',
  AWS_LWA_READINESS_CHECK_PROTOCOL: 'http',
  AWS_LWA_INVOKE_MODE: 'buffered',
}

const ECR_IMAGE =
  /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[a-f0-9]{64})$/

/** The parts of CreateFunction and UpdateFunctionConfiguration edgefaas sets. */
export interface LambdaConfig {
  Role: string
  MemorySize: number
  Timeout: number
  Environment: { Variables: Record<string, string> }
  Description: string
  KMSKeyArn?: string
  VpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[] }
}

export function imageOf(desired: DesiredFunction, label: string): string {
  const image = desired.spec.image
  if (!ECR_IMAGE.test(image)) {
    throw new ProviderError(
      'INVALID',
      `deploying ${label}: Lambda runs images from Amazon ECR only, as <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>; ` +
        `push "${image}" to ECR (or use an ECR pull-through cache) and deploy that URI`,
    )
  }
  return image
}

/**
 * `Provider.checkSpec` for Lambda: an image it can never pull, refused at deploy. The message names no
 * part of the request (the gateway's 400 echoes no raw input); `apply` keeps naming the image.
 */
export function lambdaSpecProblem(spec: DesiredFunction['spec']): string | null {
  return ECR_IMAGE.test(spec.image)
    ? null
    : 'Lambda runs images from Amazon ECR only, as <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>: ' +
        'push the image to ECR (or use an ECR pull-through cache) and deploy that URI'
}

export function lambdaConfig(
  desired: DesiredFunction,
  options: ResolvedLambdaOptions,
  label: string,
): LambdaConfig {
  const { spec } = desired
  const variables: Record<string, string> = { ...WEB_ADAPTER_ENV, ...spec.envVars }
  if (spec.envProcess) variables.fprocess = spec.envProcess
  const secrets = secretsBundle(spec.secrets ?? [], desired.secrets, label)
  if (secrets !== null) variables[SECRETS_ENV] = secrets
  const memory = spec.limits?.memory ?? spec.requests?.memory
  let memorySize = options.memoryMiB
  if (memory !== undefined) {
    const mib = memoryMiB(memory)
    if (mib === null || mib < 128 || mib > 10_240)
      throw new ProviderError(
        'INVALID',
        `deploying ${label}: limits.memory "${memory}" must be a quantity from 128Mi to 10Gi on Lambda (e.g. 512Mi)`,
      )
    memorySize = mib
  }
  let timeout = options.timeoutSeconds
  const annotated = spec.annotations?.[TIMEOUT_ANNOTATION]
  if (annotated !== undefined) {
    const ms = parseDurationMs(annotated)
    if (ms === null || ms <= 0 || ms > 900_000)
      throw new ProviderError(
        'INVALID',
        `deploying ${label}: ${TIMEOUT_ANNOTATION} "${annotated}" must be a duration up to 15m, Lambda's limit`,
      )
    timeout = Math.ceil(ms / 1000)
  }
  return {
    Role: options.roleArn,
    MemorySize: memorySize,
    Timeout: timeout,
    Environment: { Variables: variables },
    Description: `edgefaas function ${label}`,
    ...(options.kmsKeyArn ? { KMSKeyArn: options.kmsKeyArn } : {}),
    ...(options.vpc ? { VpcConfig: options.vpc } : {}),
  }
}

/** True when the function as Lambda has it differs from `wanted` in anything edgefaas sets. */
export function configDiffers(current: FunctionConfiguration, wanted: LambdaConfig): boolean {
  const env = current.Environment?.Variables ?? {}
  const wantedEnv = wanted.Environment.Variables
  const sameEnv =
    Object.keys(env).length === Object.keys(wantedEnv).length &&
    Object.entries(wantedEnv).every(([k, v]) => env[k] === v)
  const sameList = (a: string[] | undefined, b: string[] | undefined) =>
    [...(a ?? [])].sort().join() === [...(b ?? [])].sort().join()
  return !(
    sameEnv &&
    current.Role === wanted.Role &&
    current.MemorySize === wanted.MemorySize &&
    current.Timeout === wanted.Timeout &&
    current.Description === wanted.Description &&
    (current.KMSKeyArn ?? undefined) === wanted.KMSKeyArn &&
    sameList(current.VpcConfig?.SubnetIds, wanted.VpcConfig?.SubnetIds) &&
    sameList(current.VpcConfig?.SecurityGroupIds, wanted.VpcConfig?.SecurityGroupIds)
  )
}
