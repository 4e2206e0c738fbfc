/**
 * @module
 * Failover when a backend dies under load: a front door over two edgefaas backend *processes* (each
 * with its local provider), a function placed `a=50,b=50`, a steady POST load of 200 calls/s, and
 * backend b SIGKILLed mid-load. Calls that meet the dead backend's refused connections are sent to a,
 * so none of them fails; b, restarted on an empty data folder on the same port, gets the function back
 * from the front door's reconciler and its share of the traffic again. Calls b already had (in flight
 * at the SIGKILL, or handed to its still-open connections while the kernel tore the process down) may
 * have run, so those POSTs are not resent: they are the only calls that may fail (the test prints how
 * many; on a quiet machine, with calls of a few ms, usually none).
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
  it('fails no call sent once b is gone, and serves from b again once it is back', async () => {
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
    const results = await steadyLoad(200, 6, (elapsed) => {
      if (killedAt < 0 && elapsed >= 2000) {
        killedAt = elapsed
        const t0 = Date.now() - elapsed
        b.child.once('exit', () => (goneAt = Date.now() - t0))
        b.child.kill('SIGKILL')
      }
    })
    expect(goneAt).toBeGreaterThan(killedAt)
    // Calls sent once b was gone met refused connections and were sent to a: none failed.
    const failedAfter = results.filter((r) => r.at >= goneAt && r.status !== 200)
    expect(failedAfter.map((r) => `${r.at - goneAt} ms after b was gone: ${r.status} ${r.text}`)).toEqual([])
    // Calls b was handed between the kill and its end (its sockets still open, so they may have been
    // read) are not resent, as POSTs must not be: they are the only ones that may fail. They fail with
    // the front door's 502 naming b, or, when b's answer had already begun streaming to the caller, with
    // the caller's connection cut (a status already sent cannot become a 502).
    const failed = results.filter((r) => r.status !== 200)
    for (const r of failed) {
      expect(r.end).toBeGreaterThanOrEqual(killedAt)
      if (r.status === 0) expect(r.text).toMatch(/aborted|terminated|socket/i)
      else
        expect([r.status, r.backend, r.text]).toEqual([
          502,
          'b',
          'function echo.openfaas-fn is unreachable\n',
        ])
    }
    const inFlight = failed.filter((r) => r.at < killedAt).length
    console.log(
      `backend killed: ${results.length} calls, ${failed.length} failed: ${inFlight} in flight at the SIGKILL, ` +
        `${failed.length - inFlight} sent in the ${goneAt - killedAt} ms before the process was gone`,
    )
    expect(results.filter((r) => r.at < killedAt).some((r) => r.backend === 'b')).toBe(true)
    expect(results.filter((r) => r.at > goneAt + 200).every((r) => r.backend === 'a')).toBe(true)

    // b comes back on the same port with an empty data folder: the reconciler gives the function back,
    // a probe lets b in again, and calls reach it.
    b = await backend(bPort)
    await pollUntil(
      'calls to be served by b again',
      async () => {
        const res = await front.request('/function/echo', { method: 'POST', body: 'x' })
        const text = await res.text()
        expect(res.status, text).toBe(200)
        return res.headers.get('x-edgefaas-backend') === 'b'
      },
      20_000,
      20,
    )
  }, 90_000)
})
