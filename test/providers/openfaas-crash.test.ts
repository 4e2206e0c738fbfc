/**
 * @module
 * `crashedWithCalls` of the openfaas provider: after a call was cut with no answer, the gateway resends
 * it elsewhere only when the backend is gone *and* its functions die with it. That is known from the
 * backend's last `/system/info` (an edgefaas whose only backend is its local processes), and "gone"
 * means a fresh connection is refused or cut: a backend that answers, or only hangs, never counts.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'

const http = createNodeHttpClient()
const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})
afterAll(() => http.close())

/** A backend answering /system/info with `orchestration`; `hang`: /healthz never answers. */
async function backend(provider: string, orchestration: string, hang = false) {
  const server = createServer((req, res) => {
    if (req.url === '/system/info') {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ provider: { provider, orchestration, version: { sha: 'a', release: '1' } } }))
    } else if (req.url === '/healthz' && !hang) res.end('OK')
    else if (req.url !== '/healthz') res.writeHead(404).end()
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const stop = async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  return { url, stop, provider: createOpenFaasProvider({ url, http }) }
}

describe('openfaas provider: a backend that crashed with its calls', () => {
  it('is crashed once an edgefaas with local functions refuses connections, not while it answers', async () => {
    const b = await backend('edgefaas', 'local')
    await b.provider.info()
    expect(await b.provider.crashedWithCalls()).toBe(false)
    await b.stop()
    expect(await b.provider.crashedWithCalls()).toBe(true)
  })

  it('is never crashed before its /system/info said its functions die with it', async () => {
    const b = await backend('edgefaas', 'local')
    await b.stop()
    expect(await b.provider.crashedWithCalls()).toBe(false)
  })

  it('is never crashed when its functions may outlive its gateway (OpenFaaS, faasd, a front door)', async () => {
    for (const [provider, orchestration] of [
      ['faas-netes', 'kubernetes'],
      ['faasd', 'containerd'],
      ['edgefaas', 'local,openfaas'],
    ] as const) {
      const b = await backend(provider, orchestration)
      await b.provider.info()
      await b.stop()
      expect(await b.provider.crashedWithCalls(), `${provider} ${orchestration}`).toBe(false)
    }
  })

  it('is not crashed when it accepts connections but does not answer (slow is not gone)', async () => {
    const b = await backend('edgefaas', 'local', true)
    await b.provider.info()
    expect(await b.provider.crashedWithCalls()).toBe(false)
  })
})
