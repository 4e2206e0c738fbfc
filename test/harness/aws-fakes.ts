/**
 * @module
 * Stateful stand-ins for the AWS control planes nothing local implements (toolchain.md: no Lambda
 * control plane, no ECS emulator), built on aws-sdk-client-mock so the providers' real SDK calls are
 * answered as AWS would for the calls they make, and a watchdog-like function body that answers as the
 * certifier's functions do (`env`, `cat`, a redirector, a secret reader). They let the provider
 * conformance suite run against the Lambda and ECS providers; what they cannot prove (image pulls, the
 * Lambda Web Adapter, awslogs, real rollouts) is said in test/providers/*-conformance.test.ts.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs'
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException as SecretNotFound,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'
import { mockClient } from 'aws-sdk-client-mock'
import type { EcsClients } from '../../providers/ecs/index.ts'
import type { LambdaClients } from '../../providers/lambda/index.ts'

const meta = { $metadata: {} }
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' }
const region = 'eu-west-1'

export interface WatchdogAnswer {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

/**
 * What the certifier's functions answer, chosen by `fprocess`: `env` (the watchdog's Http_* variables and
 * the environment as lines), `cat` (the body), `redirect` (302 to `destination`), `secret:<name>` (the
 * secret's bytes, read as the image's entrypoint would write it from EDGEFAAS_SECRETS).
 */
export function watchdog(
  env: Record<string, string>,
  method: string,
  path: string,
  query: string,
  body: Uint8Array,
): WatchdogAnswer {
  const text = (s: string): WatchdogAnswer => ({
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: new TextEncoder().encode(s),
  })
  const process = env.fprocess ?? ''
  if (process === 'cat') return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body }
  if (process === 'redirect')
    return { status: 302, headers: { location: env.destination ?? '/' }, body: new Uint8Array() }
  if (process.startsWith('secret:')) {
    const name = process.slice('secret:'.length)
    const pair = (env.EDGEFAAS_SECRETS ?? '').split(' ').find((p) => p.startsWith(`${name}=`))
    if (!pair) return { status: 500, headers: {}, body: new TextEncoder().encode('no such secret') }
    return {
      status: 200,
      headers: {},
      body: Uint8Array.from(Buffer.from(pair.slice(name.length + 1), 'base64')),
    }
  }
  const lines = [`Http_Method=${method}`, `Http_Query=${query}`, `Http_Path=${path}`]
  for (const [k, v] of Object.entries(env)) lines.push(`${k}=${v}`)
  return text(`${lines.join('\n')}\n`)
}

/** Log lines the fakes write, by group. */
class LogBook {
  readonly groups = new Map<string, FilteredLogEvent[]>()
  write(group: string, stream: string, message: string): void {
    const events = this.groups.get(group) ?? []
    events.push({ eventId: String(Math.random()), timestamp: Date.now(), message, logStreamName: stream })
    this.groups.set(group, events)
  }
  client(): CloudWatchLogsClient {
    const client = new CloudWatchLogsClient({ region, credentials })
    mockClient(client)
      .on(FilterLogEventsCommand)
      .callsFake((input: { logGroupName: string; logStreamNamePrefix?: string; startTime?: number }) => ({
        events: (this.groups.get(input.logGroupName) ?? []).filter(
          (e) =>
            (e.timestamp ?? 0) >= (input.startTime ?? 0) &&
            (input.logStreamNamePrefix === undefined ||
              (e.logStreamName ?? '').startsWith(input.logStreamNamePrefix)),
        ),
      }))
    return client
  }
}

interface FakeFunction {
  image: string
  env: Record<string, string>
  config: Record<string, unknown>
  versions: Map<string, { env: Record<string, string> }>
  published: number
  alias?: string
  provisioned?: number
}

/** A Lambda account: the control plane and Invoke, answered from memory. */
export function fakeLambda(): LambdaClients {
  const functions = new Map<string, FakeFunction>()
  const logs = new LogBook()
  const notFound = (name: string) =>
    new ResourceNotFoundException({ message: `Function not found: ${name}`, ...meta })
  const get = (name: string) => {
    const fn = functions.get(name)
    if (!fn) throw notFound(name)
    return fn
  }
  const lambda = new LambdaClient({ region, credentials })
  const control = mockClient(lambda)
  control.on(GetAccountSettingsCommand).resolves({})
  control.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => {
    const fn = get(input.FunctionName)
    return {
      Configuration: {
        ...fn.config,
        Environment: { Variables: fn.env },
        State: 'Active',
        LastUpdateStatus: 'Successful',
      },
      Code: { ImageUri: fn.image },
    }
  })
  control.on(CreateFunctionCommand).callsFake((input: Record<string, unknown> & { FunctionName: string }) => {
    const { Environment, Code, ...config } = input as unknown as {
      Environment: { Variables: Record<string, string> }
      Code: { ImageUri: string }
    }
    functions.set(input.FunctionName, {
      image: Code.ImageUri,
      env: Environment.Variables,
      config,
      versions: new Map(),
      published: 0,
    })
    return {}
  })
  control.on(UpdateFunctionCodeCommand).callsFake((input: { FunctionName: string; ImageUri: string }) => {
    get(input.FunctionName).image = input.ImageUri
    return {}
  })
  control
    .on(UpdateFunctionConfigurationCommand)
    .callsFake((input: { FunctionName: string; Environment: { Variables: Record<string, string> } }) => {
      const fn = get(input.FunctionName)
      const {
        Environment,
        FunctionName: _,
        ...config
      } = input as unknown as Record<string, unknown> & { Environment: { Variables: Record<string, string> } }
      fn.env = Environment.Variables
      fn.config = config
      return {}
    })
  control.on(PublishVersionCommand).callsFake((input: { FunctionName: string }) => {
    const fn = get(input.FunctionName)
    const last = fn.versions.get(String(fn.published))
    if (!last || JSON.stringify(last.env) !== JSON.stringify(fn.env)) {
      fn.published++
      fn.versions.set(String(fn.published), { env: { ...fn.env } })
    }
    return { Version: String(fn.published) }
  })
  control.on(GetFunctionConfigurationCommand).callsFake((input: { FunctionName: string }) => {
    get(input.FunctionName)
    return { State: 'Active' }
  })
  control.on(GetAliasCommand).callsFake((input: { FunctionName: string }) => {
    const fn = get(input.FunctionName)
    if (!fn.alias) throw notFound(`${input.FunctionName}:live`)
    return { FunctionVersion: fn.alias }
  })
  const pointAlias = (input: { FunctionName?: string; FunctionVersion?: string }) => {
    get(input.FunctionName ?? '').alias = input.FunctionVersion
    return {}
  }
  control.on(CreateAliasCommand).callsFake(pointAlias)
  control.on(UpdateAliasCommand).callsFake(pointAlias)
  control.on(DeleteFunctionCommand).callsFake((input: { FunctionName: string; Qualifier?: string }) => {
    const fn = get(input.FunctionName)
    if (input.Qualifier) fn.versions.delete(input.Qualifier)
    else functions.delete(input.FunctionName)
    return {}
  })
  control
    .on(PutProvisionedConcurrencyConfigCommand)
    .callsFake((input: { FunctionName: string; ProvisionedConcurrentExecutions: number }) => {
      get(input.FunctionName).provisioned = input.ProvisionedConcurrentExecutions
      return {}
    })
  control.on(DeleteProvisionedConcurrencyConfigCommand).callsFake((input: { FunctionName: string }) => {
    const fn = get(input.FunctionName)
    if (fn.provisioned === undefined)
      throw new ProvisionedConcurrencyConfigNotFoundException({ message: 'none', ...meta })
    fn.provisioned = undefined
    return {}
  })
  control.on(GetProvisionedConcurrencyConfigCommand).callsFake((input: { FunctionName: string }) => {
    const fn = get(input.FunctionName)
    if (!fn.alias) throw notFound(input.FunctionName)
    if (fn.provisioned === undefined)
      throw new ProvisionedConcurrencyConfigNotFoundException({ message: 'none', ...meta })
    return {
      RequestedProvisionedConcurrentExecutions: fn.provisioned,
      AvailableProvisionedConcurrentExecutions: fn.provisioned,
      Status: 'READY',
    }
  })

  const invoke = new LambdaClient({ region, credentials })
  mockClient(invoke)
    .on(InvokeCommand)
    .callsFake((input: { FunctionName: string; Payload: Uint8Array }) => {
      const fn = get(input.FunctionName)
      const env = fn.versions.get(fn.alias ?? '')?.env ?? fn.env
      // As the Lambda Web Adapter turns the event into the watchdog's request and back.
      const event = JSON.parse(new TextDecoder().decode(input.Payload)) as {
        rawPath: string
        rawQueryString: string
        body?: string
        isBase64Encoded: boolean
        requestContext: { http: { method: string } }
      }
      const body = event.body
        ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
        : Buffer.alloc(0)
      const answer = watchdog(
        env,
        event.requestContext.http.method,
        event.rawPath,
        event.rawQueryString,
        body,
      )
      logs.write(
        `/aws/lambda/${input.FunctionName}`,
        '2026/12/01/[1]fake',
        `${event.requestContext.http.method} ${event.rawPath}`,
      )
      const payload = {
        statusCode: answer.status,
        headers: answer.headers,
        body: Buffer.from(answer.body).toString('base64'),
        isBase64Encoded: true,
      }
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(payload)) }
    })
  return { lambda, invoke, logs: logs.client() }
}

interface FakeService {
  taskDefinition: string
  desiredCount: number
  status: 'ACTIVE' | 'INACTIVE'
}

export interface FakeEcs {
  clients: EcsClients
  /** `http://127.0.0.1:PORT/{namespace}/{name}`: the server standing where the ALB would be. */
  invokeUrl: string
  close(): Promise<void>
}

/** An ECS cluster and Secrets Manager answered from memory, and an HTTP server playing each service's tasks. */
export async function fakeEcs(prefix = 'edgefaas-'): Promise<FakeEcs> {
  const definitions = new Map<string, RegisterTaskDefinitionCommandInput>()
  const services = new Map<string, FakeService>()
  const secretValues = new Map<string, string>()
  const logs = new LogBook()
  let revision = 0
  const ecs = new ECSClient({ region, credentials })
  const stub = mockClient(ecs)
  const describe = (name: string) => {
    const s = services.get(name)
    if (!s) return undefined
    return {
      serviceName: name,
      status: s.status,
      desiredCount: s.desiredCount,
      runningCount: s.desiredCount,
      taskDefinition: s.taskDefinition,
      deployments: [{ status: 'PRIMARY', runningCount: s.desiredCount, rolloutState: 'COMPLETED' as const }],
    }
  }
  stub.on(DescribeClustersCommand).resolves({
    clusters: [{ status: 'ACTIVE', clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/functions' }],
  })
  stub.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
    const arn = `arn:aws:ecs:eu-west-1:123456789012:task-definition/${input.family}:${++revision}`
    definitions.set(arn, input)
    return { taskDefinition: { taskDefinitionArn: arn } }
  })
  stub.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
    const found = describe(input.services[0] ?? '')
    return found ? { services: [found] } : { services: [], failures: [{ reason: 'MISSING' }] }
  })
  stub
    .on(CreateServiceCommand)
    .callsFake((input: { serviceName: string; taskDefinition: string; desiredCount: number }) => {
      services.set(input.serviceName, {
        taskDefinition: input.taskDefinition,
        desiredCount: input.desiredCount,
        status: 'ACTIVE',
      })
      return { service: describe(input.serviceName) }
    })
  stub
    .on(UpdateServiceCommand)
    .callsFake((input: { service: string; taskDefinition?: string; desiredCount?: number }) => {
      const s = services.get(input.service)
      if (s?.status !== 'ACTIVE') throw new ServiceNotFoundException({ message: 'not found', ...meta })
      if (input.taskDefinition) s.taskDefinition = input.taskDefinition
      if (input.desiredCount !== undefined) s.desiredCount = input.desiredCount
      return { service: describe(input.service) }
    })
  stub.on(DeleteServiceCommand).callsFake((input: { service: string }) => {
    const s = services.get(input.service)
    if (s?.status !== 'ACTIVE') throw new ServiceNotFoundException({ message: 'not found', ...meta })
    s.status = 'INACTIVE'
    return {}
  })
  stub.on(ListTaskDefinitionsCommand).callsFake((input: { familyPrefix: string }) => ({
    taskDefinitionArns: [...definitions.keys()].filter((arn) => arn.includes(`/${input.familyPrefix}:`)),
  }))
  stub.on(DeregisterTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    definitions.delete(input.taskDefinition)
    return {}
  })

  const secrets = new SecretsManagerClient({ region, credentials })
  const secretStub = mockClient(secrets)
  const arnOf = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`
  secretStub.on(PutSecretValueCommand).callsFake((input: { SecretId: string; SecretString: string }) => {
    if (!secretValues.has(input.SecretId)) throw new SecretNotFound({ message: 'no such secret', ...meta })
    secretValues.set(input.SecretId, input.SecretString)
    return { ARN: arnOf(input.SecretId) }
  })
  secretStub.on(CreateSecretCommand).callsFake((input: { Name: string; SecretString: string }) => {
    secretValues.set(input.Name, input.SecretString)
    return { ARN: arnOf(input.Name) }
  })
  secretStub.on(DeleteSecretCommand).callsFake((input: { SecretId: string }) => {
    if (!secretValues.delete(input.SecretId)) throw new SecretNotFound({ message: 'no such secret', ...meta })
    return {}
  })

  // The tasks of every service, behind one address: /{namespace}/{name}/rest.
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      const [, namespace, name, ...rest] = url.pathname.split('/')
      const service = `${prefix}${namespace}_${name}`
      const running = services.get(service)
      const definition =
        running && running.status === 'ACTIVE' && running.desiredCount > 0
          ? definitions.get(running.taskDefinition)
          : undefined
      const container = definition?.containerDefinitions?.[0]
      if (!container) {
        res.writeHead(503, { server: 'awselb/2.0' })
        res.end('no healthy target')
        return
      }
      const env = Object.fromEntries((container.environment ?? []).map((e) => [e.name ?? '', e.value ?? '']))
      for (const s of container.secrets ?? []) {
        const secretName = (s.valueFrom ?? '').replace(/^.*:secret:/, '')
        env[s.name ?? ''] = secretValues.get(secretName) ?? ''
      }
      const answer = watchdog(
        env,
        req.method ?? 'GET',
        `/${rest.join('/')}`,
        url.search.slice(1),
        Buffer.concat(chunks),
      )
      logs.write('/edgefaas/functions', `${service}/function/task-1`, `${req.method} /${rest.join('/')}`)
      res.writeHead(answer.status, answer.headers)
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    clients: { ecs, logs: logs.client(), secrets },
    invokeUrl: `http://127.0.0.1:${port}/{namespace}/{name}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
