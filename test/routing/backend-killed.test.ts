/**
 * @module
 * Failover when a backend dies under load: a front door over two edgefaas backend *processes* (each
 * with its local provider), a function placed `a=50,b=50`, a steady POST load of 200 calls/s, and
 * backend b SIGKILLed mid-load — issue 9's scenario: 200 calls/s for 30 s, the kill at 10 s. Calls that
 * meet the dead backend's refused connections are sent to a. Calls b already had (in flight at the
 * SIGKILL, or written to its still-open connections while the kernel tore the process down) are cut
 * with no answer; b was an edgefaas whose functions die with it, and it now refuses connections, so
 * those calls cannot complete there and are sent to a as well: no call fails. b, restarted on an empty
 * data folder on the same port during the load, gets the function back from the front door's
 * reconciler within 10 s and its share of the traffic again.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { freePort } from '../harness/free-port.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

const PASSWORD = 'backend-password-1'
const http = createNodeHttpClient()
const dirs: string[] = []
let a: GatewayProcess
let b: GatewayProcess
let bPort: number
let front: TestGateway
let auth: Record<string, string>

async function backend(port = 0): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-backend-'))
  dirs.push(dataDir)
  return startGatewayProcess({
    EDGEFAAS_PORT: String(port),
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
    EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
  })
}

const provider = (url: string) =>
  createOpenFaasProvider({ url, credentials: { username: 'admin', password: PASSWORD }, http })

beforeAll(async () => {
  bPort = await freePort()
  ;[a, b] = await Promise.all([backend(), backend(bPort)])
  front = await startTestGateway(
    { EDGEFAAS_RECONCILE_INTERVAL_MS: '500' },
    { providers: { a: provider(a.url), b: provider(b.url) } },
  )
  auth = { authorization: `Basic ${btoa(`${front.user}:${front.password}`)}` }
}, 60_000)

afterAll(async () => {
  await front?.close()
  await Promise.all([a?.stop(), b?.stop()])
  http.close()
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

interface Result {
  /** When the call started and ended, in ms since the load began. */
  at: number
  end: number
  status: number
  backend: string | null
  text: string
}

/** One call every `1000 / rate` ms for `seconds`, not waiting for answers (an open-loop load). */
async function steadyLoad(
  rate: number,
  seconds: number,
  during: (elapsedMs: number) => void,
): Promise<Result[]> {
  const started = Date.now()
  const calls: Array<Promise<Result>> = []
  const call = async (): Promise<Result> => {
    const at = Date.now() - started
    try {
      const res = await front.request('/function/echo', { method: 'POST', body: 'ping' })
      const text = await res.text()
      const backend = res.headers.get('x-edgefaas-backend')
      return { at, end: Date.now() - started, status: res.status, backend, text }
    } catch (error) {
      return { at, end: Date.now() - started, status: 0, backend: null, text: String(error) }
    }
  }
  for (let i = 0; i < rate * seconds; i++) {
    // Paced against the clock, so a slow moment is caught up rather than stretching the test.
    const due = started + (i * 1000) / rate
    const wait = due - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    during(Date.now() - started)
    calls.push(call())
  }
  return Promise.all(calls)
}

describe('a backend killed under load', () => {
  it('fails no call of 200/s for 30 s when b is SIGKILLed at 10 s, and serves from b again once it is back', async () => {
    const deploy = await front.request('/system/functions', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'echo',
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        envVars: { mode: 'http' },
        annotations: { 'edgefaas.dev/backends': 'a=50,b=50' },
      }),
    })
    expect(deploy.status, await deploy.text()).toBe(202)
    await pollUntil('echo to be served by both backends', async () => {
      const seen = new Set<string | null>()
      for (let i = 0; i < 20; i++) {
        const res = await front.request('/function/echo', { method: 'POST', body: 'x' })
        await res.text()
        if (res.status === 200) seen.add(res.headers.get('x-edgefaas-backend'))
      }
      return seen.has('a') && seen.has('b')
    })

    let killedAt = -1
    let goneAt = -1
    let restartedAt = -1
    let restart: Promise<void> | null = null
    const results = await steadyLoad(200, 30, (elapsed) => {
      if (killedAt < 0 && elapsed >= 10_000) {
        killedAt = elapsed
        const t0 = Date.now() - elapsed
        b.child.once('exit', () => {
          goneAt = Date.now() - t0
          // b comes back on the same port with an empty data folder a few seconds later.
          restart = new Promise((resolve) => setTimeout(resolve, 3000)).then(async () => {
            b = await backend(bPort)
            restartedAt = Date.now() - t0
          })
        })
        b.child.kill('SIGKILL')
      }
    })
    await restart
    expect(goneAt).toBeGreaterThan(killedAt)
    expect(restartedAt).toBeGreaterThan(goneAt)

    const failed = results.filter((r) => r.status !== 200)
    expect(
      failed.map((r) => `${r.at - killedAt} ms after the SIGKILL: ${r.status} ${r.backend} ${r.text}`),
    ).toEqual([])
    expect(results).toHaveLength(6000)
    expect(results.filter((r) => r.at < killedAt).some((r) => r.backend === 'b')).toBe(true)
    expect(
      results.filter((r) => r.at > goneAt + 200 && r.at < restartedAt).every((r) => r.backend === 'a'),
    ).toBe(true)
    // The reconciler gave the function back to b, a probe let b in again, and calls reached it, within
    // 10 s of b being up again.
    const backOnB = results.find((r) => r.at > restartedAt && r.backend === 'b')
    expect(backOnB, 'a call served by b after its restart').toBeDefined()
    expect(backOnB!.end - restartedAt).toBeLessThan(10_000)
    console.log(
      `backend killed: ${results.length} calls, 0 failed; b gone ${goneAt - killedAt} ms after the SIGKILL, ` +
        `serving again ${backOnB!.end - restartedAt} ms after its restart`,
    )
  }, 120_000)
})
