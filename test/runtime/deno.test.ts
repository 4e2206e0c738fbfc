/**
 * The gateway on Deno (`npm run start:deno`, src/runtime/deno/), as a child process with exactly the
 * permissions that script grants: the HTTP contract suite on SQLite and on PostgreSQL; local functions
 * invoked sync and async (the worker and the callback sender) on every queue driver; metrics; and a
 * clean stop on SIGTERM and SIGINT that takes every function process with it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runHttpContractSuite } from '../conformance/http-contract.suite.ts'
import { type CallbackReceiver, startCallbackReceiver } from '../harness/callback-receiver.ts'
import { type GatewayProcess, startDenoGatewayProcess } from '../harness/gateway-process.ts'
import { startNats } from '../harness/nats.ts'
import { pollUntil } from '../harness/poll.ts'
import { startPostgres } from '../harness/postgres.ts'
import { accepting, alive, descendants } from '../harness/processes.ts'
import { startSqs } from '../harness/sqs.ts'

const PASSWORD = 'deno-test-password'
const AUTH = { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` }
const cleanups: Array<() => Promise<unknown>> = []
afterAll(async () => {
  // Gateways first (registered last), then the servers they use.
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function startDeno(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-deno-'))
  const gateway = await startDenoGatewayProcess({
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
    EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
    ...env,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true })
    throw error
  })
  cleanups.push(async () => {
    await gateway.stop()
    await rm(dataDir, { recursive: true, force: true })
  })
  return gateway
}

const contractTarget = (gateway: GatewayProcess) => ({
  // Raw paths must reach the server unnormalised, so no URL object is built from them.
  fetch: (path: string, init?: RequestInit) => fetch(`${gateway.url}${path}`, init),
  credentials: { user: 'admin', password: PASSWORD },
  runsFunctions: true,
})

runHttpContractSuite('deno on SQLite', async () => contractTarget(await startDeno()))

runHttpContractSuite('deno on PostgreSQL', async () => {
  const pg = await startPostgres()
  cleanups.push(() => pg.stop())
  return contractTarget(await startDeno({ EDGEFAAS_DATABASE_URL: pg.url }))
})

describe('deno runtime', () => {
  it('prints where it listens, on the runtime it runs on', async () => {
    const gateway = await startDeno()
    expect(gateway.output()).toMatch(
      /edgefaas \S+ listening on http:\/\/127\.0\.0\.1:\d+ \(Deno 2\.\d+\.\d+\)/,
    )
    expect(gateway.output()).toContain('faas-cli login -g')
  })

  it('refuses bad configuration with exit 2 and a message naming the variable', async () => {
    await expect(startDenoGatewayProcess({ EDGEFAAS_PORT: 'http' })).rejects.toThrow(
      /exited with 2:[\s\S]*EDGEFAAS_PORT: must be a whole number/,
    )
  })

  it('EDGEFAAS_FUNCTIONS_PORT: a second listener serves functions, the API port points at it', async () => {
    const gateway = await startDeno({ EDGEFAAS_FUNCTIONS_PORT: '0' })
    const functionsUrl = /functions served on (http:\/\/\S+)\/function\/<name>/.exec(gateway.output())?.[1]
    expect(functionsUrl).toBeDefined()
    expect(functionsUrl).not.toBe(gateway.url)
    const fromApi = await fetch(`${gateway.url}/function/any`)
    expect(fromApi.status).toBe(404)
    expect(await fromApi.text()).toContain(`port ${new URL(functionsUrl ?? '').port}`)
    const missing = await fetch(`${functionsUrl}/function/any`)
    expect(await missing.text()).toMatch(/^error finding function any.openfaas-fn: not found/)
    expect((await fetch(`${functionsUrl}/system/functions`, { headers: AUTH })).status).toBe(404)
  })

  describe.each([
    ['the embedded queue', async () => ({})],
    [
      'NATS JetStream',
      async () => {
        const nats = await startNats()
        cleanups.push(() => nats.stop())
        return { EDGEFAAS_QUEUE_URL: nats.url }
      },
    ],
    [
      'SQS',
      async () => {
        const sqs = await startSqs()
        cleanups.push(() => sqs.stop())
        return { EDGEFAAS_QUEUE_URL: `sqs://us-east-1/deno-?endpoint=${sqs.endpoint}` }
      },
    ],
  ])('local functions with %s', (_, queueEnv) => {
    let gateway: GatewayProcess
    let receiver: CallbackReceiver

    it('runs a function: sync with the caller in X-Forwarded-For, async with its callback', async () => {
      receiver = await startCallbackReceiver()
      cleanups.push(() => receiver.close())
      // The receiver is on loopback, which callbacks may reach only when allowed.
      gateway = await startDeno({ ...(await queueEnv()), EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32' })
      const deploy = await fetch(`${gateway.url}/system/functions`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'env', image: 'local', envProcess: 'env' }),
      })
      expect(deploy.status).toBe(202)

      let body = ''
      await pollUntil('the function to answer', async () => {
        const res = await fetch(`${gateway.url}/function/env`, { method: 'POST', body: 'x' })
        body = await res.text()
        return res.status === 200
      })
      // The client address comes from Deno.serve's connection info.
      expect(body).toMatch(/Http_X_Forwarded_For=127\.0\.0\.1:\d+/)

      const queued = await fetch(`${gateway.url}/async-function/env`, {
        method: 'POST',
        headers: { 'x-callback-url': receiver.url },
        body: 'y',
      })
      expect(queued.status).toBe(202)
      const callId = queued.headers.get('x-call-id') ?? ''
      await pollUntil('the callback', async () => receiver.calls.has(callId))
      const [callback] = receiver.calls.get(callId) ?? []
      expect(callback?.headers['x-function-status']).toBe('200')
      expect(callback?.body).toContain(`Http_X_Call_Id=${callId}`)
    })

    it('counts the invocations in /metrics', async () => {
      const res = await fetch(`${gateway.url}/metrics`, { headers: AUTH })
      expect(res.status).toBe(200)
      expect(await res.text()).toMatch(
        /gateway_function_invocation_total\{[^}]*env\.openfaas-fn[^}]*\} [1-9]/,
      )
    })
  })

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops on %s: exit 0, the port closed, no function process left',
    async (signal) => {
      const gateway = await startDeno()
      const deploy = await fetch(`${gateway.url}/system/functions`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'pair',
          image: 'local',
          envProcess: 'cat',
          labels: { 'com.openfaas.scale.min': '2' },
        }),
      })
      expect(deploy.status).toBe(202)
      const pid = gateway.child.pid ?? -1
      let tree: number[] = []
      await pollUntil('two replicas', async () => {
        const res = await fetch(`${gateway.url}/system/function/pair`, { headers: AUTH })
        const status = (await res.json()) as { availableReplicas?: number }
        tree = await descendants(pid)
        return status.availableReplicas === 2
      })
      expect(tree.length).toBeGreaterThanOrEqual(2)
      const port = Number(new URL(gateway.url).port)

      expect(await gateway.stop(signal)).toBe(0)
      expect(gateway.output()).toContain(`${signal} received, stopping`)
      expect(await accepting(port)).toBe(false)
      await pollUntil('every function process to end', async () => tree.every((p) => !alive(p)), 5_000)
    },
  )
})
