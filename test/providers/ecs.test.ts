/**
 * The ECS provider: control plane asserted as AWS SDK command sequences with aws-sdk-client-mock (there is
 * no ECS emulator; toolchain.md), and the invoke path against a real HTTP server standing where the ALB
 * would be, reached through the backend's invokeUrl template.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import {
  ClientException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException as SecretNotFound,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'
import { type AwsStub, mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEcsProvider, type EcsProvider } from '../../providers/ecs/index.ts'
import { checkInvokeUrl } from '../../providers/ecs/invoke-url.ts'
import { type DesiredFunction, ProviderError, type ProviderErrorCode } from '../../providers/types.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'

const SVC = 'edgefaas-openfaas-fn_echo'
const TD = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${SVC}:${n}`
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole'
const meta = { $metadata: {} }
// biome-ignore lint/suspicious/noExplicitAny: the mock's stub type is generic over every command
type Stub = AwsStub<any, any, any>

function sequence(...stubs: Stub[]): string[] {
  return stubs
    .flatMap((s) => s.calls())
    .map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''))
}
function service(extra: Record<string, unknown> = {}) {
  return {
    serviceName: SVC,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 3,
    taskDefinition: TD(1),
    deployments: [
      { status: 'PRIMARY', runningCount: 1, rolloutState: 'IN_PROGRESS' as const },
      { status: 'ACTIVE', runningCount: 2 },
    ],
    ...extra,
  }
}
function desired(
  extra: Partial<DesiredFunction> = {},
  spec: Partial<DesiredFunction['spec']> = {},
): DesiredFunction {
  return {
    name: 'echo',
    namespace: 'openfaas-fn',
    spec: { image: 'ghcr.io/example/echo:1', envProcess: 'cat', envVars: { a: '1' }, ...spec },
    replicas: 2,
    generation: 1,
    secrets: {},
    ...extra,
  }
}
async function codeOf(promise: Promise<unknown>): Promise<ProviderErrorCode | unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return ProviderError.is(error) ? error.code : error
}

describe('ecs provider', () => {
  let ecs: Stub
  let logs: Stub
  let secrets: Stub
  let provider: EcsProvider
  let alb: Server
  let albUrl: string
  const http = createNodeHttpClient()
  const seen: Array<{ method: string; url: string; host: string; body: string }> = []

  beforeAll(async () => {
    // Where the ALB would be: answers as the function behind it, or as the ALB itself.
    alb = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          host: req.headers.host ?? '',
          body: body.toString(),
        })
        if (req.url?.startsWith('/openfaas-fn/down/')) {
          res.writeHead(503, { server: 'awselb/2.0', 'content-type': 'text/html' })
          res.end('<html>503 Service Temporarily Unavailable</html>')
          return
        }
        if (req.url?.startsWith('/openfaas-fn/echo/fail')) {
          res.writeHead(503, { server: 'fwatchdog' })
          res.end('the function said 503')
          return
        }
        res.writeHead(200, {
          'content-type': req.headers['content-type'] ?? 'text/plain',
          'x-path': req.url ?? '',
        })
        res.end(body)
      })
    })
    await new Promise<void>((resolve) => alb.listen(0, '127.0.0.1', resolve))
    albUrl = `http://127.0.0.1:${(alb.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    http.close()
    await new Promise((resolve) => alb.close(resolve))
  })

  beforeEach(() => {
    const region = 'eu-west-1'
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' }
    const clients = {
      ecs: new ECSClient({ region, credentials }),
      logs: new CloudWatchLogsClient({ region, credentials }),
      secrets: new SecretsManagerClient({ region, credentials }),
    }
    ecs = mockClient(clients.ecs)
    logs = mockClient(clients.logs)
    secrets = mockClient(clients.secrets)
    provider = createEcsProvider({
      clients,
      http,
      region,
      cluster: 'functions',
      subnets: ['subnet-0a1b2c'],
      securityGroups: ['sg-0a1b2c'],
      executionRoleArn: EXEC_ROLE,
      invokeUrl: `${albUrl}/{namespace}/{name}`,
      readyCacheMs: 60_000,
      logPollMs: 10,
    })
  })

  it('deploys: secret, task definition (image, port 8080, env, secrets, Fargate size, awslogs), new service', async () => {
    secrets.on(PutSecretValueCommand).rejects(new SecretNotFound({ message: 'no secret', ...meta }))
    secrets
      .on(CreateSecretCommand)
      .resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-1' })
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD(1) } })
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] })
    ecs
      .on(CreateServiceCommand)
      .resolves({ service: service({ deployments: [{ status: 'PRIMARY', runningCount: 0 }] }) })
    const observed = await provider.apply(
      desired(
        { secrets: { token: new TextEncoder().encode('t0k') } },
        {
          secrets: ['token'],
          limits: { memory: '3Gi', cpu: '700m' },
          annotations: {
            'edgefaas.dev/ecs-target-group':
              'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/echo/0123456789abcdef',
          },
        },
      ),
    )
    expect(observed).toEqual({ replicas: 2, availableReplicas: 0 })
    expect(sequence(secrets, ecs)).toEqual([
      'PutSecretValue',
      'CreateSecret',
      'RegisterTaskDefinition',
      'DescribeServices',
      'CreateService',
    ])
    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input).toMatchObject({
      Name: `${SVC}/secrets`,
      SecretString: `token=${btoa('t0k')}`,
    })
    const td = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input
    expect(td).toMatchObject({
      family: SVC,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '3072',
      executionRoleArn: EXEC_ROLE,
    })
    expect(td?.containerDefinitions?.[0]).toMatchObject({
      name: 'function',
      image: 'ghcr.io/example/echo:1',
      portMappings: [{ containerPort: 8080, protocol: 'tcp', name: 'http' }],
      environment: [
        { name: 'a', value: '1' },
        { name: 'fprocess', value: 'cat' },
        { name: 'port', value: '8080' },
      ],
      secrets: [
        { name: 'EDGEFAAS_SECRETS', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-1' },
      ],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/edgefaas/functions',
          'awslogs-stream-prefix': SVC,
          'awslogs-region': 'eu-west-1',
        },
      },
    })
    expect(ecs.commandCalls(CreateServiceCommand)[0]?.args[0].input).toMatchObject({
      cluster: 'functions',
      serviceName: SVC,
      taskDefinition: TD(1),
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c'],
          securityGroups: ['sg-0a1b2c'],
          assignPublicIp: 'DISABLED',
        },
      },
      loadBalancers: [
        {
          targetGroupArn:
            'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/echo/0123456789abcdef',
          containerName: 'function',
          containerPort: 8080,
        },
      ],
    })
  })

  it('updates: new revision, UpdateService with desiredCount, the replaced revision deregistered', async () => {
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD(2) } })
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] })
    ecs.on(UpdateServiceCommand).resolves({ service: service({ taskDefinition: TD(2) }) })
    ecs.on(DeregisterTaskDefinitionCommand).resolves({})
    expect(await provider.apply(desired({ replicas: 3 }))).toEqual({ replicas: 2, availableReplicas: 1 })
    expect(sequence(secrets, ecs)).toEqual([
      'RegisterTaskDefinition',
      'DescribeServices',
      'UpdateService',
      'DeregisterTaskDefinition',
    ])
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toMatchObject({
      cluster: 'functions',
      service: SVC,
      taskDefinition: TD(2),
      desiredCount: 3,
    })
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: TD(1),
    })
  })

  it('scales with desiredCount, to zero too; NOT_FOUND for a missing service', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] })
    ecs.on(UpdateServiceCommand).resolves({})
    await provider.scale('openfaas-fn', 'echo', 5)
    await provider.scale('openfaas-fn', 'echo', 0)
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).toEqual([5, 0])
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'INACTIVE' })] })
    expect(await codeOf(provider.scale('openfaas-fn', 'echo', 1))).toBe('NOT_FOUND')
  })

  it('status from DescribeServices: desiredCount and the PRIMARY deployment running tasks; null when gone', async () => {
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [service()] })
    expect(await provider.status('openfaas-fn', 'echo')).toEqual({ replicas: 2, availableReplicas: 1 })
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] })
    expect(await provider.status('openfaas-fn', 'echo')).toBeNull()
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'DRAINING' })] })
    expect(await provider.status('openfaas-fn', 'echo')).toBeNull()
  })

  it('removes: DeleteService (force), every revision of the family deregistered, the secret deleted; twice is fine', async () => {
    ecs
      .on(DeleteServiceCommand)
      .resolvesOnce({})
      .rejects(new ServiceNotFoundException({ message: 'gone', ...meta }))
    ecs
      .on(ListTaskDefinitionsCommand)
      .resolvesOnce({ taskDefinitionArns: [TD(1), `${TD(2).replace(SVC, `${SVC}-other`)}`], nextToken: 'n' })
      .resolves({ taskDefinitionArns: [TD(3)] })
    ecs.on(DeregisterTaskDefinitionCommand).resolves({})
    secrets
      .on(DeleteSecretCommand)
      .resolvesOnce({})
      .rejects(new SecretNotFound({ message: 'no', ...meta }))
    await provider.remove('openfaas-fn', 'echo')
    expect(sequence(ecs, secrets)).toEqual([
      'DeleteService',
      'ListTaskDefinitions',
      'ListTaskDefinitions',
      'DeregisterTaskDefinition',
      'DeregisterTaskDefinition',
      'DeleteSecret',
    ])
    expect(ecs.commandCalls(DeleteServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'functions',
      service: SVC,
      force: true,
    })
    expect(
      ecs.commandCalls(DeregisterTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition),
    ).toEqual([TD(1), TD(3)])
    await provider.remove('openfaas-fn', 'echo')
  })

  it('reads logs from the awslogs streams of the service', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] })
    logs.on(FilterLogEventsCommand).resolves({
      events: [{ eventId: '1', timestamp: 5, message: 'hello', logStreamName: `${SVC}/function/abc` }],
    })
    const lines = []
    for await (const m of provider.logs(
      { name: 'echo', namespace: 'openfaas-fn', follow: false },
      AbortSignal.timeout(5_000),
    ))
      lines.push(m)
    expect(lines).toEqual([
      {
        name: 'echo',
        namespace: 'openfaas-fn',
        instance: `${SVC}/function/abc`,
        timestamp: '1970-01-01T00:00:00.005Z',
        text: 'hello',
      },
    ])
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toMatchObject({
      logGroupName: '/edgefaas/functions',
      logStreamNamePrefix: `${SVC}/function/`,
    })
  })

  it('maps errors: bad size INVALID before any call, ClientException INVALID, a missing cluster on info', async () => {
    expect(await codeOf(provider.apply(desired({}, { limits: { memory: '200Gi' } })))).toBe('INVALID')
    expect(
      await codeOf(provider.apply(desired({}, { annotations: { 'edgefaas.dev/ecs-target-group': 'nope' } }))),
    ).toBe('INVALID')
    expect(ecs.calls()).toHaveLength(0)
    ecs
      .on(RegisterTaskDefinitionCommand)
      .rejects(new ClientException({ message: 'Invalid setting for container', ...meta }))
    const error = await provider.apply(desired()).catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('INVALID')
    expect((error as Error).message).toMatch(/Invalid setting for container/)
    ecs.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ reason: 'MISSING' }] })
    const info = await provider.info().catch((e: unknown) => e)
    expect((info as Error).message).toMatch(/cluster "functions" is missing/)
  })

  it('invokes through the invokeUrl: method, path, query and body reach the server where the ALB stands', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] })
    const response = await provider.invoke('openfaas-fn', 'echo', '/a/b?x=1', {
      method: 'POST',
      headers: new Headers({ 'content-type': 'text/plain', connection: 'keep-alive' }),
      body: new Blob(['through the ALB']).stream(),
      signal: AbortSignal.timeout(5_000),
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('through the ALB')
    expect(response.headers.get('x-path')).toBe('/openfaas-fn/echo/a/b?x=1')
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/openfaas-fn/echo/a/b?x=1' })

    // The function's own 503 stays the function's; the ALB's own is marked as the path's failure.
    const own = await provider.invoke('openfaas-fn', 'echo', '/fail', {
      method: 'GET',
      headers: new Headers(),
      body: null,
      signal: AbortSignal.timeout(5_000),
    })
    expect(own.status).toBe(503)
    expect(own.headers.has('x-openfaas-internal')).toBe(false)
    await own.text()
    const down = await provider.invoke('openfaas-fn', 'down', '/', {
      method: 'GET',
      headers: new Headers(),
      body: null,
      signal: AbortSignal.timeout(5_000),
    })
    expect(down.status).toBe(503)
    expect(down.headers.get('x-openfaas-internal')).toBe('alb')
    await down.text()
  })

  it('is NOT_READY with no running task and NOT_FOUND without a service, before the body is read', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [service({ desiredCount: 0, deployments: [{ status: 'PRIMARY', runningCount: 0 }] })],
    })
    let pulled = false
    const body = new ReadableStream(
      {
        pull() {
          pulled = true
        },
      },
      { highWaterMark: 0 },
    )
    expect(
      await codeOf(
        provider.invoke('openfaas-fn', 'idle', '/', {
          method: 'POST',
          headers: new Headers(),
          body,
          signal: AbortSignal.timeout(5_000),
        }),
      ),
    ).toBe('NOT_READY')
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] })
    expect(
      await codeOf(
        provider.invoke('openfaas-fn', 'gone', '/', {
          method: 'POST',
          headers: new Headers(),
          body,
          signal: AbortSignal.timeout(5_000),
        }),
      ),
    ).toBe('NOT_FOUND')
    expect(pulled).toBe(false)
    expect(
      await codeOf(
        provider.invoke('openfaas-fn', 'echo', '/../system/info', {
          method: 'GET',
          headers: new Headers(),
          body: null,
          signal: AbortSignal.timeout(5_000),
        }),
      ),
    ).toBe('INVALID')
  })

  it('checks the invokeUrl template: {name} required, a placeholder in the host only as a whole label', () => {
    expect(checkInvokeUrl('http://{name}.edgefaas.local:8080/')).toBe('http://{name}.edgefaas.local:8080')
    expect(checkInvokeUrl('https://alb.example/{namespace}/{name}')).toBe(
      'https://alb.example/{namespace}/{name}',
    )
    expect(checkInvokeUrl('http://{name}-{namespace}.fns.example')).toBe(
      'http://{name}-{namespace}.fns.example',
    )
    expect(() => checkInvokeUrl('http://alb.example/')).toThrow(/must contain \{name\}/)
    expect(() => checkInvokeUrl('http://evil{name}.example')).toThrow(/whole DNS label/)
    expect(() => checkInvokeUrl('http://{name}@alb.example')).toThrow()
    expect(() => checkInvokeUrl('http://alb.example/{name}?x=1')).toThrow(/query/)
    expect(() => checkInvokeUrl('http://u:p@alb.example/{name}')).toThrow(/credentials/)
    expect(() => checkInvokeUrl('file:///{name}')).toThrow(/http/)
    expect(() => checkInvokeUrl('http://alb.example/{host}/{name}')).toThrow(/only the placeholders/)
  })
})
