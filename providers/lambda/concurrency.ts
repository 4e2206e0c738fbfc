/**
 * @module
 * Replicas on Lambda are provisioned concurrency on the function's alias: `replicas` environments kept
 * initialised, `availableReplicas` those Lambda reports ready (AvailableProvisionedConcurrentExecutions).
 * Zero replicas is no provisioned concurrency: calls still run, in environments Lambda starts on demand
 * (a cold start), so a function at zero is served, never held (Lambda scales from zero itself).
 */
import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetProvisionedConcurrencyConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda'
import { awsError, isNotFound } from '../aws/errors.ts'
import type { ObservedFunction } from '../types.ts'
import type { ResolvedLambdaOptions } from './options.ts'

export async function setConcurrency(
  o: ResolvedLambdaOptions,
  fn: string,
  replicas: number,
  label: string,
): Promise<void> {
  const what = `scaling ${label} to ${replicas}`
  try {
    if (replicas > 0) {
      await o.clients.lambda.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: fn,
          Qualifier: o.alias,
          ProvisionedConcurrentExecutions: replicas,
        }),
      )
    } else {
      await o.clients.lambda.send(
        new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: o.alias }),
      )
    }
  } catch (error) {
    if (replicas === 0 && isNotFound(error)) return
    throw awsError(
      error,
      what,
      o.shown,
      replicas > 0 ? 'lambda:PutProvisionedConcurrencyConfig' : 'lambda:DeleteProvisionedConcurrencyConfig',
    )
  }
}

/** The function's replicas from its alias's provisioned concurrency; null when it has no alias (not deployed). */
export async function readConcurrency(
  o: ResolvedLambdaOptions,
  fn: string,
  label: string,
): Promise<ObservedFunction | null> {
  const what = `reading the status of ${label}`
  try {
    const config = await o.clients.lambda.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: o.alias }),
    )
    const requested = config.RequestedProvisionedConcurrentExecutions ?? 0
    // FAILED: Lambda could not provision them (StatusReason says why); none are available.
    const available = config.Status === 'FAILED' ? 0 : (config.AvailableProvisionedConcurrentExecutions ?? 0)
    return { replicas: requested, availableReplicas: Math.min(available, requested) }
  } catch (error) {
    if (!isNotFound(error)) throw awsError(error, what, o.shown, 'lambda:GetProvisionedConcurrencyConfig')
    const name = (error as { name?: string }).name
    // The function or its alias is missing: not deployed (or a deploy stopped half-way, which apply redoes).
    if (name !== 'ProvisionedConcurrencyConfigNotFoundException') return null
  }
  try {
    await o.clients.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: o.alias }))
    return { replicas: 0, availableReplicas: 0 }
  } catch (error) {
    if (isNotFound(error)) return null
    throw awsError(error, what, o.shown, 'lambda:GetAlias')
  }
}
