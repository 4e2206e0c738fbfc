/**
 * The Prometheus load source against a real Prometheus and a real VictoriaMetrics scraping a stand-in
 * `/metrics`: what it calls activity when a function's counters are new. A rate or an increase starts
 * at a series' first sample, so calls that are all in that sample (a short burst between two scrapes,
 * the first calls after a gateway or the store started) are in no increase: the source must still see
 * them, or the autoscaler counts the function idle since before them and zero comes early.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPrometheusClient } from '../../src/autoscale/prometheus-client.ts'
import { createPrometheusSource } from '../../src/autoscale/prometheus-source.ts'
import { pollUntil } from '../harness/poll.ts'
import { type MetricsStore, type MetricsStoreKind, startMetricsStore } from '../harness/prometheus.ts'

const KINDS: MetricsStoreKind[] = ['prometheus', 'victoria-metrics']

describe.each(KINDS)('Prometheus source on %s', (kind) => {
  let server: Server
  let store: MetricsStore
  /** What the stand-in gateway exports, by function: calls started since it started. */
  const started = new Map<string, number>()

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const lines = [
        '# TYPE gateway_service_count gauge',
        'gateway_service_count{function_name="steady.ns"} 1',
        '# TYPE gateway_function_invocation_started counter',
        ...[...started].map(([fn, n]) => `gateway_function_invocation_started{function_name="${fn}"} ${n}`),
      ]
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      res.end(`${lines.join('\n')}\n`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    store = await startMetricsStore(kind, [{ address: `127.0.0.1:${port}`, user: 'u', password: 'p' }])
  }, 60_000)

  afterAll(async () => {
    await store?.stop()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('a function whose calls are all in its series’ first sample is active', async () => {
    // An older function, so the store has scraped the target a few times before the burst.
    started.set('steady.ns', 3)
    await pollUntil(
      'two scrapes of the steady series',
      async () =>
        Number(
          (await store.query('count_over_time(gateway_function_invocation_started[1m])'))[0]?.value[1] ?? 0,
        ) >= 2,
      30_000,
      200,
    )
    // A burst of 7 calls of a new function between two scrapes; then it is quiet.
    started.set('burst.ns', 7)
    await pollUntil(
      'two scrapes of the new series',
      async () =>
        Number(
          (
            await store.query(
              'count_over_time(gateway_function_invocation_started{function_name="burst.ns"}[1m])',
            )
          )[0]?.value[1] ?? 0,
        ) >= 2,
      30_000,
      200,
    )
    const client = createPrometheusClient({ url: store.url, timeoutMs: 5000 })
    const loads = await createPrometheusSource(client, 10_000).read()
    expect(loads?.get('burst.ns')?.started).toBeGreaterThan(0)
    // Not every series counts as new: with a 1 s window (activity over 2 s), the steady one, flat and
    // born earlier than that, reads idle.
    const short = createPrometheusSource(client, 1000)
    await pollUntil(
      'the steady series to read idle',
      async () => ((await short.read())?.get('steady.ns')?.started ?? 0) === 0,
      30_000,
      200,
    )
  }, 90_000)
})
