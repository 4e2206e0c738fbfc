/**
 * @module
 * The ECS provider: the Provider interface over ECS on Fargate (index.ts has the overview). This file maps
 * each method onto ECS's calls; the task definition is in task-definition.ts, the service in service.ts,
 * where calls go in invoke-url.ts.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager'
import { INTERNAL_HEADER } from '../../src/contract/internal-header.ts'
import type { LogMessage, LogRequest, ProviderInfo } from '../../src/contract/types.ts'
import { withEditedHeaders } from '../../src/http/edit-headers.ts'
import { readCloudWatchLogs } from '../aws/cloudwatch-logs.ts'
import { awsError, isNotFound } from '../aws/errors.ts'
import { awsName, checkNames } from '../aws/names.ts'
import { secretsBundle } from '../aws/secrets-bundle.ts'
import { checkFunctionPath, forwardInvocation, untilAborted } from '../openfaas/invoke.ts'
import { ReadinessCache } from '../openfaas/readiness.ts'
import type {
  DesiredFunction,
  InstanceInfo,
  InvocationRequest,
  ObservedFunction,
  Provider,
  ProviderCapabilities,
} from '../types.ts'
import { ProviderError } from '../types.ts'
import { invokeBase } from './invoke-url.ts'
import type { ResolvedEcsOptions } from './options.ts'
import { observedFrom, serviceSettings } from './service.ts'
import { CONTAINER, taskDefinition } from './task-definition.ts'

/** ECS service names and task definition families take up to 255 characters; keep well under. */
const MAX_NAME = 128

export class EcsProvider implements Provider {
  readonly kind = 'ecs'
  readonly scope = 'shared'
  readonly capabilities: ProviderCapabilities
  readonly #o: ResolvedEcsOptions
  readonly #readiness: ReadinessCache
  #closed = false

  constructor(options: ResolvedEcsOptions) {
    this.#o = options
    this.capabilities = { ...options.capabilities }
    this.#readiness = new ReadinessCache((ns, name) => this.#describe(ns, name), options.readyCacheMs)
  }

  /** The ECS service name (and task definition family) of `name.namespace`. */
  serviceName(namespace: string, name: string): Promise<string> {
    return awsName(this.#o.prefix, namespace, name, MAX_NAME)
  }

  async info(): Promise<ProviderInfo> {
    const answer = await this.#call('reading the cluster', 'ecs:DescribeClusters', () =>
      this.#o.clients.ecs.send(new DescribeClustersCommand({ clusters: [this.#o.cluster] })),
    )
    const cluster = answer.clusters?.[0]
    if (cluster?.status !== 'ACTIVE')
      throw new ProviderError(
        'UNAVAILABLE',
        `${this.#o.shown}: cluster "${this.#o.cluster}" is ${cluster?.status ?? 'missing'}; create it or fix "cluster"`,
      )
    return {
      provider: 'edgefaas-ecs',
      orchestration: 'aws-ecs-fargate',
      version: { release: this.#o.region, sha: cluster.clusterArn ?? this.#o.cluster },
    }
  }

  async apply(desired: DesiredFunction): Promise<ObservedFunction> {
    this.#checkOpen()
    const label = checkNames(desired.namespace, desired.name)
    if (!Number.isInteger(desired.replicas) || desired.replicas < 0)
      throw new ProviderError('INVALID', `deploying ${label}: replicas must be a whole number ≥ 0`)
    const what = `deploying ${label}`
    const svc = await this.serviceName(desired.namespace, desired.name)
    const settings = serviceSettings(desired, this.#o, label)
    const bundle = secretsBundle(desired.spec.secrets ?? [], desired.secrets, label)
    // Checked before anything is written: a bad size must not leave a secret or a revision behind.
    const definition = taskDefinition(desired, svc, bundle === null ? null : 'pending', this.#o, label)
    const secretArn = bundle === null ? null : await this.#writeSecret(svc, bundle, label)
    const containers = definition.containerDefinitions ?? []
    if (secretArn && containers[0]?.secrets)
      containers[0].secrets = [{ name: 'EDGEFAAS_SECRETS', valueFrom: secretArn }]
    const registered = await this.#call(
      what,
      'ecs:RegisterTaskDefinition and iam:PassRole on the roles',
      () => this.#o.clients.ecs.send(new RegisterTaskDefinitionCommand(definition)),
    )
    const arn = registered.taskDefinition?.taskDefinitionArn
    if (!arn) throw new ProviderError('INTERNAL', `${what}: ${this.#o.shown} registered no task definition`)
    const current = await this.#describeService(svc, what)
    if (current?.status === 'DRAINING')
      throw new ProviderError(
        'UNAVAILABLE',
        `${what}: its service on ${this.#o.shown} is still being deleted; retrying later`,
      )
    let service: Service | undefined
    if (!current || current.status === 'INACTIVE') {
      const created = await this.#call(what, 'ecs:CreateService', () =>
        this.#o.clients.ecs.send(
          new CreateServiceCommand({
            cluster: this.#o.cluster,
            serviceName: svc,
            taskDefinition: arn,
            launchType: 'FARGATE',
            ...settings,
            deploymentConfiguration: {
              deploymentCircuitBreaker: { enable: true, rollback: true },
              minimumHealthyPercent: 100,
              maximumPercent: 200,
            },
            propagateTags: 'SERVICE',
            enableECSManagedTags: true,
            tags: definition.tags,
          }),
        ),
      )
      service = created.service
    } else {
      const updated = await this.#call(what, 'ecs:UpdateService', () =>
        this.#o.clients.ecs.send(
          new UpdateServiceCommand({
            cluster: this.#o.cluster,
            service: svc,
            taskDefinition: arn,
            ...settings,
          }),
        ),
      )
      service = updated.service
      const previous = current.taskDefinition
      if (previous && previous !== arn) {
        // Running tasks keep a deregistered revision; it only stops new ones from using it.
        try {
          await this.#o.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: previous }))
        } catch {}
      }
    }
    this.#readiness.forget(desired.namespace, desired.name)
    return observedFrom(service) ?? { replicas: desired.replicas, availableReplicas: 0 }
  }

  async remove(namespace: string, name: string): Promise<void> {
    const label = checkNames(namespace, name)
    const what = `removing ${label}`
    const svc = await this.serviceName(namespace, name)
    this.#readiness.forget(namespace, name)
    try {
      // force: no need to scale to zero first; ECS stops the tasks.
      await this.#o.clients.ecs.send(
        new DeleteServiceCommand({ cluster: this.#o.cluster, service: svc, force: true }),
      )
    } catch (error) {
      if (!isNotFound(error)) throw awsError(error, what, this.#o.shown, 'ecs:DeleteService')
    }
    let nextToken: string | undefined
    const arns: string[] = []
    do {
      const page = await this.#call(what, 'ecs:ListTaskDefinitions', () =>
        this.#o.clients.ecs.send(
          new ListTaskDefinitionsCommand({ familyPrefix: svc, status: 'ACTIVE', nextToken }),
        ),
      )
      arns.push(...(page.taskDefinitionArns ?? []))
      nextToken = page.nextToken
    } while (nextToken)
    for (const arn of arns) {
      // familyPrefix matches a prefix: only this family's revisions (`…:task-definition/<family>:<n>`).
      if (!arn.endsWith(`/${svc}:${arn.split(':').at(-1)}`)) continue
      await this.#call(what, 'ecs:DeregisterTaskDefinition', () =>
        this.#o.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })),
      )
    }
    try {
      await this.#o.clients.secrets.send(
        new DeleteSecretCommand({ SecretId: secretName(svc), ForceDeleteWithoutRecovery: true }),
      )
    } catch (error) {
      if (!isNotFound(error)) throw awsError(error, what, this.#o.shown, 'secretsmanager:DeleteSecret')
    }
  }

  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    const label = checkNames(namespace, name)
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ProviderError('INVALID', `scaling ${label}: replicas must be a whole number ≥ 0`)
    const what = `scaling ${label} to ${replicas}`
    const svc = await this.serviceName(namespace, name)
    this.#readiness.forget(namespace, name)
    if (observedFrom(await this.#describeService(svc, what)) === null)
      throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${this.#o.shown}`)
    await this.#call(what, 'ecs:UpdateService', () =>
      this.#o.clients.ecs.send(
        new UpdateServiceCommand({ cluster: this.#o.cluster, service: svc, desiredCount: replicas }),
      ),
    )
  }

  async status(namespace: string, name: string): Promise<ObservedFunction | null> {
    checkNames(namespace, name)
    const observed = await this.#describe(namespace, name)
    this.#readiness.record(namespace, name, observed)
    return observed
  }

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
    checkFunctionPath(path)
    // Decided before the body is touched, so the gateway can hold the call or send it elsewhere.
    const readiness = await untilAborted(this.#readiness.check(namespace, name), request.signal)
    if (readiness === 'absent')
      throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${this.#o.shown}`)
    if (readiness === 'not-ready')
      throw new ProviderError(
        'NOT_READY',
        `function ${label} has no running task on backend ${this.#o.shown}`,
      )
    const url = `${invokeBase(this.#o.invokeUrl, namespace, name)}${path}`
    const response = await forwardInvocation(this.#o.http, url, request, this.#o.shown)
    if (
      response.status >= 502 &&
      response.status <= 504 &&
      /^awselb\//i.test(response.headers.get('server') ?? '')
    ) {
      // The load balancer answered itself (no healthy target, target unreachable or too slow): not the
      // function's answer. Marked as OpenFaaS marks its proxy's own, so routing can tell them apart.
      this.#readiness.forget(namespace, name)
      return withEditedHeaders(response, (headers) => headers.set(INTERNAL_HEADER, 'alb'))
    }
    return response
  }

  logs(request: LogRequest, signal: AbortSignal): AsyncIterable<LogMessage> {
    const label = checkNames(request.namespace, request.name)
    if (!this.capabilities.logs)
      throw new ProviderError('UNSUPPORTED', `backend ${this.#o.shown} does not serve logs (${label})`)
    const o = this.#o
    const provider = this
    return (async function* () {
      const svc = await provider.serviceName(request.namespace, request.name)
      if (observedFrom(await provider.#describeService(svc, `reading the logs of ${label}`)) === null)
        throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${o.shown}`)
      yield* readCloudWatchLogs(
        {
          client: o.clients.logs,
          group: o.logGroup,
          streamPrefix: `${svc}/${CONTAINER}/`,
          where: o.shown,
          pollMs: o.logPollMs,
        },
        request,
        signal,
      )
    })()
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  async #describe(namespace: string, name: string): Promise<ObservedFunction | null> {
    const svc = await this.serviceName(namespace, name)
    return observedFrom(await this.#describeService(svc, `reading the status of ${name}.${namespace}`))
  }

  async #describeService(svc: string, what: string): Promise<Service | undefined> {
    const answer = await this.#call(what, 'ecs:DescribeServices', () =>
      this.#o.clients.ecs.send(new DescribeServicesCommand({ cluster: this.#o.cluster, services: [svc] })),
    )
    const failure = answer.failures?.find((f) => f.reason !== 'MISSING')
    if (failure) {
      throw new ProviderError(
        'INTERNAL',
        `${what}: ${this.#o.shown} answered ${failure.reason}${failure.detail ? `: ${failure.detail}` : ''}`,
      )
    }
    return answer.services?.[0]
  }

  /** Puts the bundle in the function's secret, creating it the first time. Returns its ARN. */
  async #writeSecret(svc: string, bundle: string, label: string): Promise<string> {
    const what = `writing the secrets of ${label}`
    const name = secretName(svc)
    try {
      const put = await this.#o.clients.secrets.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: bundle }),
      )
      if (put.ARN) return put.ARN
    } catch (error) {
      if (!isNotFound(error)) throw awsError(error, what, this.#o.shown, 'secretsmanager:PutSecretValue')
    }
    const created = await this.#call(what, 'secretsmanager:CreateSecret', () =>
      this.#o.clients.secrets.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: bundle,
          Description: `secrets of the edgefaas function ${label}`,
          Tags: [{ Key: 'managed-by', Value: 'edgefaas' }],
        }),
      ),
    )
    if (!created.ARN) throw new ProviderError('INTERNAL', `${what}: ${this.#o.shown} returned no secret ARN`)
    return created.ARN
  }

  async #call<T>(what: string, permission: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw awsError(error, what, this.#o.shown, permission)
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ProviderError('UNAVAILABLE', `the provider for ${this.#o.shown} is closed`)
  }
}

/** The Secrets Manager secret holding a function's secrets bundle. */
export function secretName(service: string): string {
  return `${service}/secrets`
}
