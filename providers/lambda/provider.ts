/**
 * @module
 * The Lambda provider: the Provider interface over the Lambda API (index.ts has the overview). This file
 * maps each method onto Lambda's calls; what a function looks like on Lambda is in function-config.ts,
 * replicas in concurrency.ts, the invocation in invoke.ts.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda'
import type { LogMessage, LogRequest, ProviderInfo } from '../../src/contract/types.ts'
import { readCloudWatchLogs } from '../aws/cloudwatch-logs.ts'
import { awsError, isNotFound } from '../aws/errors.ts'
import { awsName, checkNames } from '../aws/names.ts'
import type {
  DesiredFunction,
  InstanceInfo,
  InvocationRequest,
  ObservedFunction,
  Provider,
  ProviderCapabilities,
} from '../types.ts'
import { ProviderError } from '../types.ts'
import { readConcurrency, setConcurrency } from './concurrency.ts'
import { configDiffers, imageOf, lambdaConfig, lambdaSpecProblem } from './function-config.ts'
import { invokeFunction } from './invoke.ts'
import type { ResolvedLambdaOptions } from './options.ts'

/** Lambda's limit on function names. */
const MAX_NAME = 64

export class LambdaProvider implements Provider {
  readonly kind = 'lambda'
  readonly scope = 'shared'
  readonly capabilities: ProviderCapabilities
  readonly #o: ResolvedLambdaOptions
  /**
   * Settled statuses (every provisioned environment ready, or none asked for), by function: the
   * reconciler asks each function's status every tick, and Lambda's control plane allows 15 requests a
   * second per account and region. A change through this provider drops the entry; a status still
   * moving is never cached.
   */
  readonly #settled = new Map<string, { at: number; observed: ObservedFunction | null }>()
  #closed = false

  constructor(options: ResolvedLambdaOptions) {
    this.#o = options
    this.capabilities = { ...options.capabilities }
  }

  /** The Lambda function name of `name.namespace`. */
  functionName(namespace: string, name: string): Promise<string> {
    return awsName(this.#o.prefix, namespace, name, MAX_NAME)
  }

  async info(): Promise<ProviderInfo> {
    try {
      await this.#o.clients.lambda.send(new GetAccountSettingsCommand({}))
    } catch (error) {
      throw awsError(error, 'reading the account settings', this.#o.shown, 'lambda:GetAccountSettings')
    }
    return {
      provider: 'edgefaas-lambda',
      orchestration: 'aws-lambda',
      version: { release: this.#o.region, sha: 'aws-lambda' },
    }
  }

  checkSpec(spec: DesiredFunction['spec']): string | null {
    return lambdaSpecProblem(spec)
  }

  async apply(desired: DesiredFunction): Promise<ObservedFunction> {
    this.#checkOpen()
    const label = checkNames(desired.namespace, desired.name)
    if (!Number.isInteger(desired.replicas) || desired.replicas < 0)
      throw new ProviderError('INVALID', `deploying ${label}: replicas must be a whole number ≥ 0`)
    const image = imageOf(desired, label)
    const config = lambdaConfig(desired, this.#o, label)
    const fn = await this.functionName(desired.namespace, desired.name)
    const what = `deploying ${label}`
    const existing = await this.#send(
      what,
      'lambda:GetFunction',
      () => this.#o.clients.lambda.send(new GetFunctionCommand({ FunctionName: fn })),
      true,
    )
    if (!existing) {
      await this.#send(what, 'lambda:CreateFunction and iam:PassRole on the role', () =>
        this.#o.clients.lambda.send(
          new CreateFunctionCommand({
            FunctionName: fn,
            PackageType: 'Image',
            Code: { ImageUri: image },
            ...config,
            ...(this.#o.architecture ? { Architectures: [this.#o.architecture] } : {}),
            Tags: {
              'managed-by': 'edgefaas',
              'edgefaas.dev/function': desired.name,
              'edgefaas.dev/namespace': desired.namespace,
            },
          }),
        ),
      )
      await this.#waitActive(fn, label)
    } else {
      await this.#update(fn, label, existing, image, config)
    }
    const published = await this.#send(what, 'lambda:PublishVersion', () =>
      this.#o.clients.lambda.send(
        new PublishVersionCommand({ FunctionName: fn, Description: `generation ${desired.generation}` }),
      ),
    )
    const version = published.Version
    if (!version) throw new ProviderError('INTERNAL', `${what}: ${this.#o.shown} published no version`)
    await this.#wait(label, 'the published version to become Active', () =>
      waitUntilPublishedVersionActive(this.#waiter(), { FunctionName: fn, Qualifier: version }),
    )
    await this.#pointAlias(fn, version, label)
    this.#settled.delete(fn)
    await setConcurrency(this.#o, fn, desired.replicas, label)
    return (await readConcurrency(this.#o, fn, label)) ?? { replicas: desired.replicas, availableReplicas: 0 }
  }

  async remove(namespace: string, name: string): Promise<void> {
    const label = checkNames(namespace, name)
    const fn = await this.functionName(namespace, name)
    this.#settled.delete(fn)
    // Deleting the function deletes its versions, its alias and their provisioned concurrency.
    // Its log group stays, with the retention set on it.
    await this.#send(
      `removing ${label}`,
      'lambda:DeleteFunction',
      () => this.#o.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: fn })),
      true,
    )
  }

  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    const label = checkNames(namespace, name)
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ProviderError('INVALID', `scaling ${label}: replicas must be a whole number ≥ 0`)
    const fn = await this.functionName(namespace, name)
    const alias = await this.#send(
      `scaling ${label}`,
      'lambda:GetAlias',
      () => this.#o.clients.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: this.#o.alias })),
      true,
    )
    if (!alias) throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${this.#o.shown}`)
    this.#settled.delete(fn)
    await setConcurrency(this.#o, fn, replicas, label)
  }

  async status(namespace: string, name: string): Promise<ObservedFunction | null> {
    const label = checkNames(namespace, name)
    const fn = await this.functionName(namespace, name)
    const cached = this.#settled.get(fn)
    if (cached && Date.now() - cached.at < this.#o.statusCacheMs) return cached.observed
    const observed = await readConcurrency(this.#o, fn, label)
    if (observed === null || observed.availableReplicas === observed.replicas) {
      this.#settled.set(fn, { at: Date.now(), observed })
    } else {
      this.#settled.delete(fn)
    }
    return observed
  }

  /** One instance per provisioned environment: Lambda names none, so they are numbered. */
  async instances(namespace: string, name: string): Promise<InstanceInfo[]> {
    const observed = await this.status(namespace, name)
    if (!observed) return []
    return Array.from({ length: Math.max(observed.replicas, observed.availableReplicas) }, (_, i) => ({
      id: `${name}-${i + 1}`,
      ready: i < observed.availableReplicas,
    }))
  }

  async invoke(namespace: string, name: string, path: string, request: InvocationRequest): Promise<Response> {
    this.#checkOpen()
    const label = checkNames(namespace, name)
    const fn = await this.functionName(namespace, name)
    return invokeFunction(this.#o, fn, label, path, request)
  }

  logs(request: LogRequest, signal: AbortSignal): AsyncIterable<LogMessage> {
    const label = checkNames(request.namespace, request.name)
    if (!this.capabilities.logs)
      throw new ProviderError('UNSUPPORTED', `backend ${this.#o.shown} does not serve logs (${label})`)
    const provider = this
    const o = this.#o
    return (async function* () {
      const fn = await provider.functionName(request.namespace, request.name)
      const found = await provider.#send(
        `reading the logs of ${label}`,
        'lambda:GetFunction',
        () => o.clients.lambda.send(new GetFunctionCommand({ FunctionName: fn })),
        true,
      )
      if (!found) throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${o.shown}`)
      yield* readCloudWatchLogs(
        { client: o.clients.logs, group: `/aws/lambda/${fn}`, where: o.shown, pollMs: o.logPollMs },
        request,
        signal,
      )
    })()
  }

  /** The SDK clients belong to whoever made them. */
  async close(): Promise<void> {
    this.#closed = true
  }

  async #update(
    fn: string,
    label: string,
    existing: GetFunctionCommandOutput,
    image: string,
    config: ReturnType<typeof lambdaConfig>,
  ): Promise<void> {
    const what = `deploying ${label}`
    const current = existing.Configuration ?? {}
    // A change still running (another gateway's deploy, a console edit) must end before the next starts.
    if (current.LastUpdateStatus === 'InProgress' || current.State === 'Pending')
      await this.#waitUpdated(fn, label)
    if (existing.Code?.ImageUri !== image) {
      await this.#send(what, 'lambda:UpdateFunctionCode', () =>
        this.#o.clients.lambda.send(
          new UpdateFunctionCodeCommand({
            FunctionName: fn,
            ImageUri: image,
            ...(this.#o.architecture ? { Architectures: [this.#o.architecture] } : {}),
          }),
        ),
      )
      await this.#waitUpdated(fn, label)
    }
    if (configDiffers(current as FunctionConfiguration, config)) {
      await this.#send(what, 'lambda:UpdateFunctionConfiguration and iam:PassRole on the role', () =>
        this.#o.clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, ...config })),
      )
      await this.#waitUpdated(fn, label)
    }
  }

  /** Points the alias at `version`; the version it left is deleted (its provisioned concurrency went with the alias). */
  async #pointAlias(fn: string, version: string, label: string): Promise<void> {
    const what = `deploying ${label}`
    const alias = await this.#send(
      what,
      'lambda:GetAlias',
      () => this.#o.clients.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: this.#o.alias })),
      true,
    )
    if (!alias) {
      await this.#send(what, 'lambda:CreateAlias', () =>
        this.#o.clients.lambda.send(
          new CreateAliasCommand({ FunctionName: fn, Name: this.#o.alias, FunctionVersion: version }),
        ),
      )
      return
    }
    if (alias.FunctionVersion === version) return
    await this.#send(what, 'lambda:UpdateAlias', () =>
      this.#o.clients.lambda.send(
        new UpdateAliasCommand({ FunctionName: fn, Name: this.#o.alias, FunctionVersion: version }),
      ),
    )
    const previous = alias.FunctionVersion
    if (previous && /^\d+$/.test(previous)) {
      // Old versions pile up otherwise (75 GB of code per account); a failure here costs nothing now.
      try {
        await this.#o.clients.lambda.send(
          new DeleteFunctionCommand({ FunctionName: fn, Qualifier: previous }),
        )
      } catch {}
    }
  }

  #waiter() {
    return { client: this.#o.clients.lambda, maxWaitTime: this.#o.waitSeconds, minDelay: 1, maxDelay: 10 }
  }

  #waitActive(fn: string, label: string): Promise<void> {
    return this.#wait(label, 'the function to become Active', () =>
      waitUntilFunctionActiveV2(this.#waiter(), { FunctionName: fn }),
    )
  }

  #waitUpdated(fn: string, label: string): Promise<void> {
    return this.#wait(label, 'the update to finish', () =>
      waitUntilFunctionUpdatedV2(this.#waiter(), { FunctionName: fn }),
    )
  }

  /** Runs an SDK waiter; on failure or timeout says why, from the function's state. */
  async #wait(label: string, what: string, wait: () => Promise<unknown>): Promise<void> {
    try {
      await wait()
    } catch (error) {
      if (ProviderError.is(error)) throw error
      const fn = await this.functionName(...splitLabel(label))
      const config = await Promise.resolve(
        this.#o.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn })),
      ).catch(() => null)
      const reason =
        config?.StateReason ?? config?.LastUpdateStatusReason ?? (error instanceof Error ? error.message : '')
      const failed = config?.State === 'Failed' || config?.LastUpdateStatus === 'Failed'
      throw new ProviderError(
        failed ? 'INVALID' : 'UNAVAILABLE',
        `deploying ${label}: waiting for ${what} on ${this.#o.shown} ${failed ? 'failed' : 'timed out'}` +
          `${config ? ` (State ${config.State}, LastUpdateStatus ${config.LastUpdateStatus})` : ''}` +
          `${reason ? `: ${reason.slice(0, 300)}` : ''}`,
        { cause: error },
      )
    }
  }

  /** Runs one SDK call; with `absentOk`, a missing resource gives undefined instead of an error. */
  async #send<T>(
    what: string,
    permission: string,
    call: () => Promise<T>,
    absentOk: true,
  ): Promise<T | undefined>
  async #send<T>(what: string, permission: string, call: () => Promise<T>, absentOk?: false): Promise<T>
  async #send<T>(what: string, permission: string, call: () => Promise<T>, absentOk = false) {
    try {
      return await call()
    } catch (error) {
      if (absentOk && isNotFound(error)) return undefined
      throw awsError(error, what, this.#o.shown, permission)
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ProviderError('UNAVAILABLE', `the provider for ${this.#o.shown} is closed`)
  }
}

function splitLabel(label: string): [string, string] {
  const dot = label.lastIndexOf('.')
  return [label.slice(dot + 1), label.slice(0, dot)]
}
