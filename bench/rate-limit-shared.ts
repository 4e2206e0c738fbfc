/**
 * `npm run bench:rate-limit`: the shared rate limit under load, at full length. Two gateways on one
 * PostgreSQL, a function limited to `10/s`, closed-loop callers on both gateways for 30 s
 * (BENCH_RATE_SECONDS); prints how many calls each gateway let through against the 10 + 10 × seconds the
 * limit allows. Then the same with the state kept per process (EDGEFAAS_RATE_LIMIT_STATE=memory), which is
 * what two gateways would do without the store: about twice the limit. docs/security.md records a run.
 */
import { startTestGateway, type TestGateway } from '../test/harness/node-gateway.ts'
import { pollUntil } from '../test/harness/poll.ts'
import { startPostgres } from '../test/harness/postgres.ts'
import { closedLoopLoad } from '../test/harness/rate-load.ts'
import { runBench } from './lib.ts'

const SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30)
const CONCURRENCY = Number(process.env.BENCH_RATE_CONCURRENCY ?? 8)

async function measure(state: 'store' | 'memory'): Promise<void> {
  const pg = await startPostgres()
  const env = { EDGEFAAS_DATABASE_URL: pg.url, EDGEFAAS_RATE_LIMIT_STATE: state, EDGEFAAS_LOG_LEVEL: 'warn' }
  const gateways: TestGateway[] = [await startTestGateway(env), await startTestGateway(env)]
  try {
    const [a] = gateways as [TestGateway, TestGateway]
    const auth = `Basic ${btoa(`${a.user}:${a.password}`)}`
    const deployed = await fetch(`${a.url}/system/functions`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'limited',
        image: 'functions/alpine',
        envProcess: 'cat',
        annotations: { 'edgefaas.dev/rate-limit': '10/s' },
      }),
    })
    if (deployed.status !== 202) throw new Error(`deploy answered ${deployed.status}`)
    for (const g of gateways) {
      await pollUntil(
        'the function to answer',
        async () => {
          const r = await fetch(`${g.url}/function/limited`, { method: 'POST', body: 'x' })
          await r.arrayBuffer()
          return r.status === 200
        },
        30_000,
        150,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const result = await closedLoopLoad(
      gateways.map((g) => `${g.url}/function/limited`),
      SECONDS,
      CONCURRENCY,
    )
    const allowed = result.total(200)
    const expected = 10 + 10 * SECONDS
    const requests = [...result.byUrl.values()].reduce(
      (s, m) => s + [...m.values()].reduce((x, y) => x + y, 0),
      0,
    )
    console.log(
      JSON.stringify({
        state,
        seconds: SECONDS,
        gateways: 2,
        concurrencyPerGateway: CONCURRENCY,
        requests,
        allowed,
        expected,
        deviation: `${(((allowed - expected) / expected) * 100).toFixed(1)}%`,
        perGateway: [...result.byUrl.values()].map((m) => Object.fromEntries(m)),
      }),
    )
  } finally {
    for (const g of gateways) await g.close()
    await pg.stop()
  }
}

runBench(async () => {
  await measure('store')
  await measure('memory')
})
