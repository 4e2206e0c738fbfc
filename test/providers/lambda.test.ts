/**
 * The Lambda provider's control plane, asserted as AWS SDK command sequences with aws-sdk-client-mock
 * (no local server implements Lambda's control plane; toolchain.md): deploy, update, scale (to zero
 * too), status, remove, logs, and the error paths, each mapped to a provider error that says what to fix.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException as LogsNotFound,
} from '@aws-sdk/client-cloudwatch-logs'
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
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import { type AwsStub, mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { createLambdaProvider, type LambdaProvider } from '../../providers/lambda/index.ts'
import { type DesiredFunction, ProviderError, type ProviderErrorCode } from '../../providers/types.ts'
import { errorOutcome, resendAfter } from '../../src/invoke/attempt-outcome.ts'

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/echo:1'
const IMAGE_2 = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/echo:2'
const ROLE = 'arn:aws:iam::123456789012:role/edgefaas-functions'
const FN = 'edgefaas-openfaas-fn_echo'
const meta = { $metadata: {} }
const notFound = () => new ResourceNotFoundException({ message: 'Function not found', ...meta })
const noPc = () => new ProvisionedConcurrencyConfigNotFoundException({ message: 'No config', ...meta })

// biome-ignore lint/suspicious/noExplicitAny: the mock's stub type is generic over every command
type Stub = AwsStub<any, any, any>

function desired(
  extra: Partial<DesiredFunction> = {},
  spec: Partial<DesiredFunction['spec']> = {},
): DesiredFunction {
  return {
    name: 'echo',
    namespace: 'openfaas-fn',
    spec: { image: IMAGE, envProcess: 'cat', envVars: { mode: 'x' }, ...spec },
    replicas: 1,
    generation: 1,
    secrets: {},
    ...extra,
  }
}

/** Command names in the order the provider sent them. */
function sequence(stub: Stub): string[] {
  return stub.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
}

async function codeOf(promise: Promise<unknown>): Promise<ProviderErrorCode | unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return ProviderError.is(error) ? error.code : error
}

describe('lambda provider: control plane command sequences (aws-sdk-client-mock)', () => {
  let lambda: Stub
  let invoke: Stub
  let logs: Stub
  let provider: LambdaProvider

  beforeEach(() => {
    const region = 'eu-west-1'
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' }
    const clients = {
      lambda: new LambdaClient({ region, credentials }),
      invoke: new LambdaClient({ region, credentials }),
      logs: new CloudWatchLogsClient({ region, credentials }),
    }
    lambda = mockClient(clients.lambda)
    invoke = mockClient(clients.invoke)
    logs = mockClient(clients.logs)
    provider = createLambdaProvider({ clients, region, roleArn: ROLE, logPollMs: 10, statusCacheMs: 0 })
  })

  it('deploys a new function: create, wait Active, publish, alias, provisioned concurrency', async () => {
    lambda
      .on(GetFunctionCommand)
      .rejectsOnce(notFound())
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } })
    lambda.on(CreateFunctionCommand).resolves({ FunctionName: FN, State: 'Pending' })
    lambda.on(PublishVersionCommand).resolves({ Version: '1' })
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' })
    lambda.on(GetAliasCommand).rejects(notFound())
    lambda.on(CreateAliasCommand).resolves({})
    lambda.on(PutProvisionedConcurrencyConfigCommand).resolves({ Status: 'IN_PROGRESS' })
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 1,
      AvailableProvisionedConcurrentExecutions: 0,
      Status: 'IN_PROGRESS',
    })
    const secret = new TextEncoder().encode('s3cr3t')
    const observed = await provider.apply(
      desired(
        { secrets: { 'api-key': secret } },
        {
          secrets: ['api-key'],
          limits: { memory: '1Gi' },
          annotations: { 'edgefaas.dev/timeout': '1m30s' },
        },
      ),
    )
    expect(observed).toEqual({ replicas: 1, availableReplicas: 0 })
    expect(sequence(lambda)).toEqual([
      'GetFunction',
      'CreateFunction',
      'GetFunction',
      'PublishVersion',
      'GetFunctionConfiguration',
      'GetAlias',
      'CreateAlias',
      'PutProvisionedConcurrencyConfig',
      'GetProvisionedConcurrencyConfig',
    ])
    const create = lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input
    expect(create).toMatchObject({
      FunctionName: FN,
      PackageType: 'Image',
      Code: { ImageUri: IMAGE },
      Role: ROLE,
      MemorySize: 1024,
      Timeout: 90,
      Tags: { 'managed-by': 'edgefaas', 'edgefaas.dev/function': 'echo' },
    })
    expect(create?.Environment?.Variables).toEqual({
      AWS_LWA_PORT: '8080',
      AWS_LWA_READINESS_CHECK_PATH: '/_/health',
      AWS_LWA_READINESS_CHECK_PROTOCOL: 'http',
      AWS_LWA_INVOKE_MODE: 'buffered',
      mode: 'x',
      fprocess: 'cat',
      EDGEFAAS_SECRETS: `api-key=${Buffer.from(secret).toString('base64')}`,
    })
    expect(lambda.commandCalls(CreateAliasCommand)[0]?.args[0].input).toEqual({
      FunctionName: FN,
      Name: 'live',
      FunctionVersion: '1',
    })
    expect(lambda.commandCalls(PutProvisionedConcurrencyConfigCommand)[0]?.args[0].input).toEqual({
      FunctionName: FN,
      Qualifier: 'live',
      ProvisionedConcurrentExecutions: 1,
    })
  })

  it('updates image and configuration, waits for each update, moves the alias and drops the old version', async () => {
    lambda.on(GetFunctionCommand).resolves({
      Configuration: {
        State: 'Active',
        LastUpdateStatus: 'Successful',
        Role: ROLE,
        MemorySize: 512,
        Timeout: 30,
        Environment: { Variables: { old: '1' } },
      },
      Code: { ImageUri: IMAGE },
    })
    lambda.on(UpdateFunctionCodeCommand).resolves({})
    lambda.on(UpdateFunctionConfigurationCommand).resolves({})
    lambda.on(PublishVersionCommand).resolves({ Version: '2' })
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' })
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '1' })
    lambda.on(UpdateAliasCommand).resolves({})
    lambda.on(DeleteFunctionCommand).resolves({})
    lambda.on(PutProvisionedConcurrencyConfigCommand).resolves({})
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
      Status: 'READY',
    })
    const observed = await provider.apply(desired({ replicas: 2, generation: 2 }, { image: IMAGE_2 }))
    expect(observed).toEqual({ replicas: 2, availableReplicas: 2 })
    expect(sequence(lambda)).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'PublishVersion',
      'GetFunctionConfiguration',
      'GetAlias',
      'UpdateAlias',
      'DeleteFunction',
      'PutProvisionedConcurrencyConfig',
      'GetProvisionedConcurrencyConfig',
    ])
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input).toEqual({
      FunctionName: FN,
      ImageUri: IMAGE_2,
    })
    expect(lambda.commandCalls(DeleteFunctionCommand)[0]?.args[0].input).toEqual({
      FunctionName: FN,
      Qualifier: '1',
    })
  })

  it('an unchanged function is only published and checked: nothing is updated', async () => {
    const wanted = await (async () => {
      // What the provider would set, read back from a first deploy.
      lambda
        .on(GetFunctionCommand)
        .rejectsOnce(notFound())
        .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } })
      lambda.on(CreateFunctionCommand).resolves({})
      lambda.on(PublishVersionCommand).resolves({ Version: '1' })
      lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' })
      lambda.on(GetAliasCommand).rejectsOnce(notFound()).resolves({ FunctionVersion: '1' })
      lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({})
      await provider.apply(desired())
      return lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input
    })()
    const before = lambda.calls().length
    lambda.on(GetFunctionCommand).resolves({
      Configuration: {
        Role: wanted?.Role,
        MemorySize: wanted?.MemorySize,
        Timeout: wanted?.Timeout,
        Description: wanted?.Description,
        Environment: wanted?.Environment,
        State: 'Active',
        LastUpdateStatus: 'Successful',
      },
      Code: { ImageUri: IMAGE },
    })
    await provider.apply(desired())
    expect(sequence(lambda).slice(before)).toEqual([
      'GetFunction',
      'PublishVersion',
      'GetFunctionConfiguration',
      'GetAlias',
      'PutProvisionedConcurrencyConfig',
      'GetProvisionedConcurrencyConfig',
    ])
  })

  it('waits for an update already in progress before changing the function', async () => {
    lambda
      .on(GetFunctionCommand)
      .resolvesOnce({
        Configuration: { State: 'Active', LastUpdateStatus: 'InProgress' },
        Code: { ImageUri: IMAGE_2 },
      })
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } })
    lambda.on(PublishVersionCommand).resolves({ Version: '3' })
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' })
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '3' })
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({})
    await provider.apply(desired())
    expect(sequence(lambda).slice(0, 3)).toEqual(['GetFunction', 'GetFunction', 'UpdateFunctionCode'])
  })

  it('scales with provisioned concurrency: up, down, to zero (none provisioned), and NOT_FOUND when absent', async () => {
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '1' })
    await provider.scale('openfaas-fn', 'echo', 3)
    await provider.scale('openfaas-fn', 'echo', 0)
    expect(sequence(lambda)).toEqual([
      'GetAlias',
      'PutProvisionedConcurrencyConfig',
      'GetAlias',
      'DeleteProvisionedConcurrencyConfig',
    ])
    expect(lambda.commandCalls(PutProvisionedConcurrencyConfigCommand)[0]?.args[0].input).toMatchObject({
      ProvisionedConcurrentExecutions: 3,
    })
    // Already at zero: deleting a config that is not there is fine.
    lambda.on(DeleteProvisionedConcurrencyConfigCommand).rejects(noPc())
    await provider.scale('openfaas-fn', 'echo', 0)
    lambda.on(GetAliasCommand).rejects(notFound())
    expect(await codeOf(provider.scale('openfaas-fn', 'echo', 1))).toBe('NOT_FOUND')
    expect(await codeOf(provider.scale('openfaas-fn', 'echo', -1))).toBe('INVALID')
  })

  it('status: replicas from provisioned concurrency, zero without it, null without the function', async () => {
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 3,
      AvailableProvisionedConcurrentExecutions: 1,
      Status: 'IN_PROGRESS',
    })
    expect(await provider.status('openfaas-fn', 'echo')).toEqual({ replicas: 3, availableReplicas: 1 })
    lambda.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
      Status: 'FAILED',
      StatusReason: 'FUNCTION_ERROR_INIT_FAILURE',
    })
    expect(await provider.status('openfaas-fn', 'echo')).toEqual({ replicas: 2, availableReplicas: 0 })
    lambda.on(GetProvisionedConcurrencyConfigCommand).rejects(noPc())
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '1' })
    expect(await provider.status('openfaas-fn', 'echo')).toEqual({ replicas: 0, availableReplicas: 0 })
    lambda.on(GetAliasCommand).rejects(notFound())
    expect(await provider.status('openfaas-fn', 'echo')).toBeNull()
    lambda.on(GetProvisionedConcurrencyConfigCommand).rejects(notFound())
    expect(await provider.status('openfaas-fn', 'echo')).toBeNull()
    expect(await provider.instances('openfaas-fn', 'echo')).toEqual([])
  })

  it('reuses a settled status for statusCacheMs (Lambda allows 15 control-plane requests/s); a change drops it', async () => {
    const clients = {
      lambda: new LambdaClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
      invoke: new LambdaClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
      logs: new CloudWatchLogsClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
    }
    const stub = mockClient(clients.lambda)
    const cached = createLambdaProvider({
      clients,
      region: 'eu-west-1',
      roleArn: ROLE,
      statusCacheMs: 60_000,
    })
    stub.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 1,
      Status: 'IN_PROGRESS',
    })
    await cached.status('openfaas-fn', 'echo')
    await cached.status('openfaas-fn', 'echo')
    // Still moving: asked each time.
    expect(stub.commandCalls(GetProvisionedConcurrencyConfigCommand)).toHaveLength(2)
    stub.on(GetProvisionedConcurrencyConfigCommand).resolves({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
      Status: 'READY',
    })
    expect(await cached.status('openfaas-fn', 'echo')).toEqual({ replicas: 2, availableReplicas: 2 })
    expect(await cached.status('openfaas-fn', 'echo')).toEqual({ replicas: 2, availableReplicas: 2 })
    expect(stub.commandCalls(GetProvisionedConcurrencyConfigCommand)).toHaveLength(3)
    stub.on(GetAliasCommand).resolves({ FunctionVersion: '1' })
    await cached.scale('openfaas-fn', 'echo', 0)
    stub.on(GetProvisionedConcurrencyConfigCommand).rejects(noPc())
    expect(await cached.status('openfaas-fn', 'echo')).toEqual({ replicas: 0, availableReplicas: 0 })
  })

  it('removes with DeleteFunction; removing an absent function succeeds', async () => {
    lambda.on(DeleteFunctionCommand).resolvesOnce({}).rejects(notFound())
    await provider.remove('openfaas-fn', 'echo')
    await provider.remove('openfaas-fn', 'echo')
    expect(lambda.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FN },
      { FunctionName: FN },
    ])
  })

  it('reads logs from CloudWatch Logs (/aws/lambda/<function>), tail and follow included', async () => {
    lambda.on(GetFunctionCommand).resolves({ Configuration: { State: 'Active' } })
    logs.on(FilterLogEventsCommand).resolvesOnce({
      events: [
        { eventId: '1', timestamp: 1_000, message: 'one\n', logStreamName: '2026/12/01/[3]abc' },
        { eventId: '2', timestamp: 2_000, message: 'two\n', logStreamName: '2026/12/01/[3]abc' },
        { eventId: '3', timestamp: 3_000, message: 'three\n', logStreamName: '2026/12/01/[3]abc' },
      ],
    })
    const lines: string[] = []
    for await (const m of provider.logs(
      { name: 'echo', namespace: 'openfaas-fn', follow: false, tail: 2 },
      AbortSignal.timeout(5_000),
    )) {
      lines.push(`${m.name}.${m.namespace} ${m.instance} ${m.timestamp} ${m.text}`)
    }
    expect(lines).toEqual([
      'echo.openfaas-fn 2026/12/01/[3]abc 1970-01-01T00:00:02.000Z two',
      'echo.openfaas-fn 2026/12/01/[3]abc 1970-01-01T00:00:03.000Z three',
    ])
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toMatchObject({
      logGroupName: `/aws/lambda/${FN}`,
    })

    // follow: new events arrive on later polls, each shown once.
    logs.reset()
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'a', timestamp: 10, message: 'first' }] })
      .resolves({
        events: [
          { eventId: 'a', timestamp: 10, message: 'first' },
          { eventId: 'b', timestamp: 11, message: 'second' },
        ],
      })
    const controller = new AbortController()
    const followed: string[] = []
    for await (const m of provider.logs(
      { name: 'echo', namespace: 'openfaas-fn', follow: true },
      controller.signal,
    )) {
      followed.push(m.text)
      if (followed.length === 2) controller.abort()
    }
    expect(followed).toEqual(['first', 'second'])

    // A function that never logged has no group yet: no lines. An absent function is NOT_FOUND.
    logs.on(FilterLogEventsCommand).rejects(new LogsNotFound({ message: 'no group', ...meta }))
    const none = []
    for await (const m of provider.logs(
      { name: 'echo', namespace: 'openfaas-fn', follow: false },
      AbortSignal.timeout(5_000),
    ))
      none.push(m)
    expect(none).toEqual([])
    lambda.on(GetFunctionCommand).rejects(notFound())
    const iterate = async () => {
      for await (const _ of provider.logs(
        { name: 'echo', namespace: 'openfaas-fn', follow: false },
        AbortSignal.timeout(5_000),
      )) {
      }
    }
    expect(await codeOf(iterate())).toBe('NOT_FOUND')
  })

  it('maps AWS errors to provider errors that say what to fix', async () => {
    lambda.on(GetFunctionCommand).rejects(notFound())
    lambda.on(CreateFunctionCommand).rejects(
      Object.assign(new Error('not authorized to perform iam:PassRole'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    )
    const denied = await provider.apply(desired()).catch((e: unknown) => e)
    expect(ProviderError.is(denied) && denied.code).toBe('INTERNAL')
    expect((denied as Error).message).toMatch(/lambda:CreateFunction and iam:PassRole/)
    expect((denied as Error).message).toMatch(/check the backend's AWS credentials/)

    lambda.on(CreateFunctionCommand).rejects(
      new InvalidParameterValueException({
        message: 'The role defined for the function cannot be assumed',
        ...meta,
      }),
    )
    const invalid = await provider.apply(desired()).catch((e: unknown) => e)
    expect(ProviderError.is(invalid) && invalid.code).toBe('INVALID')
    expect((invalid as Error).message).toMatch(/cannot be assumed/)

    lambda
      .on(CreateFunctionCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', ...meta }))
    expect(await codeOf(provider.apply(desired()))).toBe('UNAVAILABLE')

    lambda
      .on(CreateFunctionCommand)
      .rejects(new ResourceConflictException({ message: 'An update is in progress', ...meta }))
    expect(await codeOf(provider.apply(desired()))).toBe('UNAVAILABLE')

    lambda.on(GetAccountSettingsCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid'), {
        name: 'UnrecognizedClientException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    )
    expect(await codeOf(provider.info())).toBe('INTERNAL')
  })

  it('checkSpec refuses an image outside ECR for the gateway’s 400, without echoing it', () => {
    const problem = provider.checkSpec?.({ image: 'ghcr.io/example/echo:1' })
    expect(problem).toMatch(/Amazon ECR only.*push the image to ECR/)
    expect(problem).not.toContain('ghcr.io')
    expect(provider.checkSpec?.(desired().spec)).toBeNull()
  })

  it('refuses what Lambda cannot run before calling AWS', async () => {
    const bad = await provider
      .apply(desired({}, { image: 'ghcr.io/example/echo:1' }))
      .catch((e: unknown) => e)
    expect(ProviderError.is(bad) && bad.code).toBe('INVALID')
    expect((bad as Error).message).toMatch(/Amazon ECR only/)
    expect(await codeOf(provider.apply(desired({}, { limits: { memory: '64Mi' } })))).toBe('INVALID')
    expect(
      await codeOf(provider.apply(desired({}, { annotations: { 'edgefaas.dev/timeout': '20m' } }))),
    ).toBe('INVALID')
    expect(await codeOf(provider.apply(desired({}, { secrets: ['missing'] })))).toBe('INVALID')
    expect(await codeOf(provider.apply({ ...desired(), name: 'Not_A_Label' }))).toBe('INVALID')
    expect(lambda.calls()).toHaveLength(0)
  })

  it('a function that fails to become Active is INVALID with Lambda reason', async () => {
    lambda
      .on(GetFunctionCommand)
      .rejectsOnce(notFound())
      .resolves({ Configuration: { State: 'Failed', StateReasonCode: 'ImageAccessDenied' } })
    lambda.on(CreateFunctionCommand).resolves({})
    lambda.on(GetFunctionConfigurationCommand).resolves({
      State: 'Failed',
      StateReason: 'Lambda does not have permission to access the ECR image',
    })
    const error = await provider.apply(desired()).catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('INVALID')
    expect((error as Error).message).toMatch(/permission to access the ECR image/)
  })

  it('throttled invocations are retryable: the call never ran, so failover may resend it', async () => {
    invoke.on(InvokeCommand).rejects(
      new TooManyRequestsException({
        message: 'Rate Exceeded.',
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        ...meta,
      }),
    )
    const error = await provider
      .invoke('openfaas-fn', 'echo', '/', {
        method: 'POST',
        headers: new Headers(),
        body: new Blob(['x']).stream(),
        signal: AbortSignal.timeout(5_000),
      })
      .catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('UNAVAILABLE')
    const outcome = errorOutcome(error, false, false)
    expect(outcome).toMatchObject({ kind: 'unreachable', beforeSend: true })
    expect(resendAfter(outcome, 'POST', true)).toBe('budget')
    expect(invoke.commandCalls(InvokeCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: FN,
      Qualifier: 'live',
      InvocationType: 'RequestResponse',
    })
  })

  it('refuses a path with dot segments or encoded separators before calling Lambda', async () => {
    for (const path of ['/../system/info', '/a/%2e%2e/b', '/a%2fb']) {
      const call = provider.invoke('openfaas-fn', 'echo', path, {
        method: 'GET',
        headers: new Headers(),
        body: null,
        signal: AbortSignal.timeout(5_000),
      })
      expect(await codeOf(call), path).toBe('INVALID')
    }
    expect(invoke.calls()).toHaveLength(0)
  })

  it('names too long for Lambda keep their start and end in a hash', async () => {
    const long = 'a'.repeat(63)
    const name = await provider.functionName('openfaas-fn', long)
    expect(name.length).toBe(64)
    expect(name.startsWith('edgefaas-openfaas-fn_aaaa')).toBe(true)
    expect(name).not.toBe(await provider.functionName('openfaas-fn', `${'a'.repeat(62)}b`))
  })
})
