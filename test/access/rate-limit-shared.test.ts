/**
 * Two gateways on one PostgreSQL share a function's rate limit (state in the store, one atomic upsert
 * per call): `10/s` holds across both within 10% under closed-loop load on both at once. The test loads
 * for EDGEFAAS_RATE_TEST_SECONDS (6 s by default, to stay quick); `npm run bench:rate-limit` runs the
 * same load for the full 30 s and docs/security.md records its result.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'
import { closedLoopLoad } from '../harness/rate-load.ts'
import { admin } from './helpers.ts'

const SECONDS = Number(process.env.EDGEFAAS_RATE_TEST_SECONDS ?? 6)
let pg: PostgresServer
let a: TestGateway
let b: TestGateway

beforeAll(async () => {
  pg = await startPostgres()
  const env = { EDGEFAAS_DATABASE_URL: pg.url, EDGEFAAS_ROUTE_CACHE_TTL_MS: '300' }
  a = await startTestGateway(env)
  b = await startTestGateway(env)
}, 60_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await pg?.stop()
})

it(`a 10/s limit holds across two gateways within 10% over ${SECONDS} s of load on both`, async () => {
  expect(a.deps.config.rateLimitState).toBe('store')
  const deployed = await admin(a, 'POST', '/system/functions', {
    service: 'shared-limit',
    image: 'functions/alpine',
    envProcess: 'cat',
    annotations: { 'edgefaas.dev/rate-limit': '10/s' },
  })
  expect(deployed.status).toBe(202)
  // Both gateways' local backends run the function before the load starts.
  for (const g of [a, b]) {
    await pollUntil(
      `the function to answer through ${g.url}`,
      async () => {
        const response = await fetch(`${g.url}/function/shared-limit`, { method: 'POST', body: 'x' })
        return response.status === 200
      },
      30_000,
      150,
    )
  }
  // The warm-up took from the burst; 10/s refills all 10 in one second.
  await new Promise((resolve) => setTimeout(resolve, 1100))

  const result = await closedLoopLoad(
    [`${a.url}/function/shared-limit`, `${b.url}/function/shared-limit`],
    SECONDS,
  )
  const allowed = result.total(200)
  const expected = 10 + 10 * SECONDS
  const perGateway = [...result.byUrl.values()].map((m) => Object.fromEntries(m))
  expect(
    Math.abs(allowed - expected) / expected,
    JSON.stringify({ allowed, expected, perGateway }),
  ).toBeLessThanOrEqual(0.1)
  // Both gateways were refused some calls: neither counted alone.
  for (const counts of result.byUrl.values()) {
    expect(counts.get(200) ?? 0).toBeGreaterThan(0)
    expect(counts.get(429) ?? 0).toBeGreaterThan(0)
  }
  expect(result.total(500) + result.total(502) + result.total(-1)).toBe(0)
}, 120_000)
