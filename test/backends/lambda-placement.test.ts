/**
 * A function placed `k8s=50,lambda=50`: an `openfaas` backend (another edgefaas, as its own process,
 * standing in for a cluster) and a `lambda` backend whose control plane is mocked (aws-sdk-client-mock;
 * nothing local implements it) and whose Invoke is a real local endpoint (serverless-offline running the
 * fixture handler under the function's Lambda name). Both are registered through /system/backends, the
 * Lambda one with AWS keys that are sealed and never shown; the function is deployed through the API
 * and each call's `X-Edgefaas-Backend` shows both backends serve it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AwsBackend, createAwsProviders } from '../../src/backends/aws-providers.ts'
import { freePort } from '../harness/free-port.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { type LambdaOffline, startLambdaOffline } from '../harness/lambda-offline.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/echo:1'
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const notFound = () => new ResourceNotFoundException({ message: 'Function not found', $metadata: {} })

describe('a function placed k8s=50,lambda=50 is served by both backends', () => {
  let root: string
  let k8s: GatewayProcess
  let offline: LambdaOffline
  let front: TestGateway
  const built: AwsBackend[] = []
  let created = 0

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${front.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${btoa(`${front.user}:${front.password}`)}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'edgefaas-lambda-placement-'))
    const port = await freePort()
    ;[k8s, offline] = await Promise.all([
      startGatewayProcess({
        EDGEFAAS_PORT: String(port),
        EDGEFAAS_DATA_DIR: await mkdtemp(join(root, 'k8s-')),
        EDGEFAAS_ADMIN_PASSWORD: 'k8s-password',
        EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
      }),
      startLambdaOffline({ functionNames: ['edgefaas-openfaas-fn_mixed'] }),
    ])
    // The Lambda backend's clients: control plane mocked, Invoke at serverless-offline.
    const aws = createAwsProviders({
      lambda(backend) {
        built.push(backend)
        const credentials = backend.credentials ?? { accessKeyId: 'none', secretAccessKey: 'none' }
        const control = new LambdaClient({ region: backend.region, credentials })
        const mock = mockClient(control)
        mock.on(GetAccountSettingsCommand).resolves({})
        mock
          .on(GetFunctionCommand)
          .rejectsOnce(notFound())
          .resolves({
            Configuration: { State: 'Active', LastUpdateStatus: 'Successful' },
            Code: { ImageUri: IMAGE },
          })
        mock.on(CreateFunctionCommand).callsFake(() => {
          created++
          return {}
        })
        mock.on(PublishVersionCommand).resolves({ Version: '1' })
        mock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' })
        mock.on(GetAliasCommand).rejectsOnce(notFound()).resolves({ FunctionVersion: '1' })
        mock.on(CreateAliasCommand).resolves({})
        mock.on(PutProvisionedConcurrencyConfigCommand).resolves({})
        mock.on(GetProvisionedConcurrencyConfigCommand).resolves({
          RequestedProvisionedConcurrentExecutions: 1,
          AvailableProvisionedConcurrentExecutions: 1,
          Status: 'READY',
        })
        return {
          lambda: control,
          invoke: new LambdaClient({
            region: backend.region,
            endpoint: offline.endpoint,
            credentials,
            maxAttempts: 1,
          }),
          logs: new CloudWatchLogsClient({ region: backend.region, credentials }),
        }
      },
      ecs() {
        throw new Error('no ECS backend in this test')
      },
    })
    front = await startTestGateway({ EDGEFAAS_RECONCILE_INTERVAL_MS: '300' }, { aws })
    const k8sBackend = await api('POST', '/system/backends', {
      name: 'k8s',
      kind: 'openfaas',
      url: k8s.url,
      credentials: { username: 'admin', password: 'k8s-password' },
    })
    expect(k8sBackend.status, await k8sBackend.clone().text()).toBe(201)
    const lambdaBackend = await api('POST', '/system/backends', {
      name: 'lambda',
      kind: 'lambda',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET_KEY },
      labels: { cloud: 'aws' },
      options: { roleArn: 'arn:aws:iam::123456789012:role/edgefaas-functions' },
    })
    expect(lambdaBackend.status, await lambdaBackend.clone().text()).toBe(201)
  }, 120_000)

  afterAll(async () => {
    await front?.close()
    await k8s?.stop('SIGKILL')
    await offline?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('registers the Lambda backend with sealed AWS keys that are never shown', async () => {
    const shown = await (await api('GET', '/system/backends/lambda')).text()
    expect(JSON.parse(shown)).toMatchObject({
      name: 'lambda',
      kind: 'lambda',
      region: 'eu-west-1',
      credentials: { type: 'aws' },
      options: { roleArn: 'arn:aws:iam::123456789012:role/edgefaas-functions' },
      health: { reachable: true },
    })
    expect(shown).not.toContain(SECRET_KEY)
    expect(shown).not.toContain('AKIAIOSFODNN7EXAMPLE')
    expect(await (await api('GET', '/system/backends')).text()).not.toContain(SECRET_KEY)
    // The provider got the keys, opened from their sealed form.
    expect(built.at(-1)?.credentials).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: SECRET_KEY,
    })
  })

  it('keeps the sealed keys on a PUT that leaves them out, but not when the kind changes', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/edgefaas-functions'
    const kept = await api('PUT', '/system/backends/lambda', {
      kind: 'lambda',
      region: 'eu-west-1',
      labels: { cloud: 'aws', tier: 'gold' },
      options: { roleArn },
    })
    expect(kept.status, await kept.clone().text()).toBe(200)
    expect(await kept.json()).toMatchObject({ credentials: { type: 'aws' }, labels: { tier: 'gold' } })
    const moved = await api('PUT', '/system/backends/lambda', {
      kind: 'openfaas',
      url: 'https://attacker.example',
    })
    expect(moved.status).toBe(400)
    expect(await moved.text()).toMatch(
      /credentials: the kind changed from "lambda"; give the credentials again/,
    )
  })

  it('refuses a Lambda backend without a role, naming the field', async () => {
    const response = await api('POST', '/system/backends', {
      name: 'bad',
      kind: 'lambda',
      region: 'eu-west-1',
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(/options: .*roleArn/)
  })

  it('refuses with 400 an image Lambda can never pull, placed there, and writes nothing', async () => {
    const refused = await api('POST', '/system/functions', {
      service: 'not-ecr',
      image: 'ghcr.io/example/echo:1',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': 'k8s=50,lambda=50' },
    })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toMatch(/backend "lambda": Lambda runs images from Amazon ECR only/)
    expect((await api('GET', '/system/function/not-ecr')).status).toBe(404)
  })

  it('deploys on both and serves calls from both, as X-Edgefaas-Backend shows', async () => {
    const deployed = await api('POST', '/system/functions', {
      service: 'mixed',
      image: IMAGE,
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': 'k8s=50,lambda=50' },
    })
    expect(deployed.status, await deployed.clone().text()).toBe(202)
    await pollUntil(
      'the function to be ready on both backends',
      async () => {
        const rows = (await (await api('GET', '/system/deployments?name=mixed')).json()) as Array<{
          backend: string
          status: string
        }>
        return (
          rows
            .map((r) => `${r.backend}:${r.status}`)
            .sort()
            .join() === 'k8s:ready,lambda:ready'
        )
      },
      30_000,
    )
    expect(created).toBe(1)
    const served = new Map<string, number>()
    await pollUntil(
      'calls to be served by both backends',
      async () => {
        const response = await fetch(`${front.url}/function/mixed/echo`, {
          method: 'POST',
          body: 'hello both',
        })
        expect(response.status).toBe(200)
        expect(await response.text()).toBe('hello both')
        const backend = response.headers.get('x-edgefaas-backend') ?? 'none'
        served.set(backend, (served.get(backend) ?? 0) + 1)
        return served.has('k8s') && served.has('lambda')
      },
      60_000,
      0,
    )
    expect([...served.keys()].sort()).toEqual(['k8s', 'lambda'])
  }, 120_000)
})
