/**
 * `npm run bench:ui`: server render time of the dashboard's function list with 500 functions in one
 * namespace (issue 16: under 100 ms), through a real gateway (embedded SQLite, the functions placed on an
 * in-memory backend so 500 processes are not started), every function with five minutes of calls in
 * the dashboard's time series. Each figure is the time from the request to the last byte of the page,
 * in-process (the gateway's one door, auth and all; no socket) and over HTTP, 60 requests after 10 of
 * warm-up; the function detail page and its stats JSON for comparison.
 */

import { createMemoryProvider } from '../test/harness/memory-provider.ts'
import { startTestGateway } from '../test/harness/node-gateway.ts'
import { pollUntil } from '../test/harness/poll.ts'
import { percentile, runBench } from './lib.ts'

const FUNCTIONS = Number(process.env.BENCH_UI_FUNCTIONS ?? 500)
const RUNS = 60
const WARMUP = 10
const NS = 'openfaas-fn'

async function main(): Promise<void> {
  const g = await startTestGateway(
    { EDGEFAAS_LOG_LEVEL: 'warn' },
    { providers: { mem: createMemoryProvider() } },
  )
  try {
    for (let i = 0; i < FUNCTIONS; i++) {
      const name = `fn-${String(i).padStart(4, '0')}`
      await g.deps.store.createFunction({
        namespace: NS,
        name,
        spec: { image: `example/${name}:1`, envProcess: 'cat', labels: { team: 'bench' }, annotations: {} },
        replicas: 1,
        placement: ['mem'],
      })
      await g.deps.store.upsertDeployment({
        namespace: NS,
        functionName: name,
        backend: 'mem',
        status: 'pending',
      })
    }
    g.deps.routes.invalidate(NS, 'fn-0000')
    await pollUntil(
      'every function ready on the memory backend',
      async () => (await g.deps.store.listDeployments({ namespace: NS })).every((d) => d.status === 'ready'),
      120_000,
      200,
    )
    // Five minutes of history: 40 calls per function in each of 60 five-second slots is too slow to
    // replay by time here, so the current slot gets the calls; what the summary walks is the same code.
    const stats = g.deps.ui.stats
    if (!stats) throw new Error('no time series on this gateway')
    for (let i = 0; i < FUNCTIONS; i++) {
      const label = `fn-${String(i).padStart(4, '0')}.${NS}`
      for (let c = 0; c < 40; c++) stats.finished(label, c % 10 === 0 ? 500 : 200, 0.002 + (c % 7) / 1000)
    }
    const auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    const pages: Array<[string, string]> = [
      ['list, 50 per page (default)', `/ui/functions?namespace=${NS}`],
      ['list, 200 per page', `/ui/functions?namespace=${NS}&per=200`],
      ['list, filtered (q=fn-01)', `/ui/functions?namespace=${NS}&q=fn-01`],
      ['function detail', `/ui/functions/${NS}/fn-0042`],
      ['function stats JSON', `/ui/functions/${NS}/fn-0042/stats`],
    ]
    console.log(`${FUNCTIONS} functions in ${NS}; ms from request to last byte, ${RUNS} runs after ${WARMUP}`)
    console.log('| page | in-process p50 | in-process p95 | HTTP p50 | HTTP p95 |')
    console.log('|---|---:|---:|---:|---:|')
    for (const [label, path] of pages) {
      const inProcess = await measure(async () => {
        const res = await g.request(path, { headers: auth })
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
        await res.text()
      })
      const http = await measure(async () => {
        const res = await fetch(`${g.url}${path}`, { headers: auth })
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
        await res.text()
      })
      console.log(
        `| ${label} | ${fmt(inProcess.p50)} | ${fmt(inProcess.p95)} | ${fmt(http.p50)} | ${fmt(http.p95)} |`,
      )
    }
  } finally {
    await g.close()
  }
}

async function measure(run: () => Promise<void>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await run()
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) }
}

const fmt = (ms: number) => ms.toFixed(1)

runBench(main)
