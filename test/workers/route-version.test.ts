// Two gateways on one D1, as two isolates of the Worker would be: each has its own route cache, with a
// per-function TTL far longer than the test. A deploy through one is seen by the other within the
// version-check bound, which only the routes version row in D1 can explain.
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { requestThrough } from '../../src/gateway.ts'
import { build, type Env } from '../../src/runtime/workers/index.ts'
import { auth } from './helpers.ts'

const CHECK_MS = 500

async function isolate() {
  const gateway = await build({
    ...(env as unknown as Env),
    EDGEFAAS_ROUTE_CACHE_TTL_MS: '600000',
    EDGEFAAS_ROUTE_VERSION_CHECK_MS: String(CHECK_MS),
  })
  return { gateway, request: requestThrough(gateway.fetch) }
}

describe('the route cache across isolates', () => {
  it('sees a deploy, an update and a removal made through another isolate within the bound', async () => {
    const a = await isolate()
    const b = await isolate()
    const name = `rv-${crypto.randomUUID().slice(0, 8)}`
    const routesOfB = () => b.gateway.deps.routes.get('openfaas-fn', name)
    expect(await routesOfB()).toBeNull() // B caches the absence for ten minutes, by TTL alone

    const seenWithin = async (
      what: string,
      check: (fn: Awaited<ReturnType<typeof routesOfB>>) => boolean,
    ) => {
      const started = Date.now()
      while (!check(await routesOfB())) {
        if (Date.now() - started > CHECK_MS + 5_000) throw new Error(`B never saw ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return Date.now() - started
    }

    const deploy = (method: string, envVars: Record<string, string>) =>
      a.request('/system/functions', {
        method,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ service: name, image: 'functions/alpine:latest', envProcess: 'cat', envVars }),
      })
    expect((await deploy('POST', { v: '1' })).status).toBe(202)
    const created = await seenWithin('the deploy', (fn) => fn !== null)
    expect((await deploy('PUT', { v: '2' })).status).toBe(202)
    const updated = await seenWithin('the update', (fn) => fn?.spec.envVars?.v === '2')
    const removed = await a.request('/system/functions', {
      method: 'DELETE',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ functionName: name }),
    })
    expect(removed.status).toBe(202)
    const gone = await seenWithin('the removal', (fn) => fn === null)
    // The bound is the check interval plus one version read; generous slack for a busy machine.
    for (const ms of [created, updated, gone]) expect(ms).toBeLessThan(CHECK_MS + 2_000)
    console.log(`route version: seen after ${created} / ${updated} / ${gone} ms (bound ${CHECK_MS} ms)`)
  }, 60_000)
})
