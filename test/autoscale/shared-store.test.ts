/**
 * Several gateways sharing one store (PostgreSQL), no Prometheus: each counts its own calls and
 * publishes them to the store; the one holding the `autoscale` lease scales on the sum. Calls split over
 * two gateways that would each need 2 replicas alone take the function to 4, and the history is one
 * chain of decisions (one decider), not two gateways undoing each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'

let pg: PostgresServer
let a: TestGateway
let b: TestGateway
const auth = { authorization: `Basic ${btoa('admin:test-password-1')}` }

beforeAll(async () => {
  pg = await startPostgres()
  const env = {
    EDGEFAAS_DATABASE_URL: pg.url,
    EDGEFAAS_ADMIN_USER: 'admin',
    EDGEFAAS_AUTOSCALE_INTERVAL: '1s',
    EDGEFAAS_SECRETS_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))),
  }
  a = await startTestGateway(env)
  b = await startTestGateway(env)
}, 60_000)

afterAll(async () => {
  await a?.close()
  await b?.close()
  await pg?.stop()
})

function load(g: TestGateway, perSecond: number): () => Promise<void> {
  const pending = new Set<Promise<unknown>>()
  const timer = setInterval(() => {
    const call = fetch(`${g.url}/function/shared`, { method: 'POST', body: 'x' }).then((r) => r.arrayBuffer())
    pending.add(call)
    call.finally(() => pending.delete(call)).catch(() => {})
  }, 1000 / perSecond)
  return async () => {
    clearInterval(timer)
    await Promise.allSettled(pending)
  }
}

describe('autoscaling across gateways sharing one store', () => {
  it('scales on the summed load of both gateways, with one decider', async () => {
    const res = await fetch(`${a.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'shared',
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        envVars: { mode: 'http' },
        labels: {
          'com.openfaas.scale.type': 'rps',
          'com.openfaas.scale.target': '5',
          'com.openfaas.scale.target-proportion': '1',
          'com.openfaas.scale.max': '6',
        },
      }),
    })
    expect(res.status).toBe(202)
    // 8 calls/s on each: either gateway alone would ask for 2 replicas, the sum (16/s) for 4.
    const stops = [load(a, 8), load(b, 8)]
    try {
      await pollUntil(
        'the function to reach 4 replicas',
        async () => (await a.deps.store.getFunction('openfaas-fn', 'shared'))?.replicas === 4,
        60_000,
        250,
      )
    } finally {
      await Promise.all(stops.map((stop) => stop()))
    }
    const history = await a.deps.store.listScalingDecisions('openfaas-fn', 'shared', 50)
    const chain = history.reverse()
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.fromReplicas).toBe(chain[i - 1]?.toReplicas)
    expect(chain.every((d) => d.inputs.source === 'builtin')).toBe(true)
  }, 120_000)
})
