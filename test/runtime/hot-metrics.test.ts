/**
 * The per-call metrics of the Node gateway are plain numbers folded into prom-client on a scrape
 * (src/runtime/node/hot-series.ts): the exposition must be what prom-client's own inc()/observe() gave.
 */
import { describe, expect, it } from 'vitest'
import { createPromMetrics } from '../../src/runtime/node/metrics.ts'

function line(body: string, prefix: string): string | undefined {
  return body.split('\n').find((l) => l.startsWith(prefix))
}

describe('hot-path metrics at scrape', () => {
  it('renders counters, the in-flight gauge and cumulative histogram buckets from the calls counted', async () => {
    const metrics = createPromMetrics()
    metrics.invocationStarted('f.ns')
    metrics.invocationStarted('f.ns')
    metrics.invocationStarted('f.ns')
    metrics.invocationFinished('f.ns', 200, 0.003)
    metrics.invocationFinished('f.ns', 200, 0.2)
    metrics.backendAttempt('local', '200', 0.004)
    metrics.backendAttempt('local', '502', 7)

    for (let scrape = 0; scrape < 2; scrape++) {
      // Twice: a scrape reads the totals, it does not add them again.
      const { body } = await metrics.render()
      expect(line(body, 'gateway_function_invocation_total{function_name="f.ns",code="200"}')).toMatch(/ 2$/)
      expect(line(body, 'gateway_function_invocation_started{function_name="f.ns"}')).toMatch(/ 3$/)
      expect(line(body, 'gateway_function_invocation_inflight{function_name="f.ns"}')).toMatch(/ 1$/)
      expect(
        line(body, 'gateway_functions_seconds_bucket{le="0.005",function_name="f.ns",code="200"}'),
      ).toMatch(/ 1$/)
      expect(
        line(body, 'gateway_functions_seconds_bucket{le="0.1",function_name="f.ns",code="200"}'),
      ).toMatch(/ 1$/)
      expect(
        line(body, 'gateway_functions_seconds_bucket{le="0.25",function_name="f.ns",code="200"}'),
      ).toMatch(/ 2$/)
      expect(
        line(body, 'gateway_functions_seconds_bucket{le="+Inf",function_name="f.ns",code="200"}'),
      ).toMatch(/ 2$/)
      expect(line(body, 'gateway_functions_seconds_sum{function_name="f.ns",code="200"}')).toMatch(/ 0\.203$/)
      expect(line(body, 'gateway_functions_seconds_count{function_name="f.ns",code="200"}')).toMatch(/ 2$/)
    }
    const { body } = await metrics.render()
    expect(body).toMatch(/edgefaas_backend_requests_total\{backend="local",code="502"\} 1/)
    expect(body).toMatch(/edgefaas_backend_request_duration_seconds_bucket\{le="5",backend="local"\} 1/)
    expect(body).toMatch(/edgefaas_backend_request_duration_seconds_bucket\{le="10",backend="local"\} 2/)
    expect(await metrics.invocationCounts()).toEqual(new Map([['f.ns', 2]]))
  })

  it('process metrics still see an event-loop stall, sampled every 100 ms rather than every 10 ms', async () => {
    const metrics = createPromMetrics({ processMetrics: true })
    await metrics.render() // starts a fresh window: prom-client resets the delay histogram per scrape
    // Let the monitor's timer arm, then block the loop for 300 ms: the next sample is that late.
    await new Promise((resolve) => setTimeout(resolve, 150))
    const until = performance.now() + 300
    while (performance.now() < until) {
      // A stall, as a synchronous handler would cause.
    }
    await new Promise((resolve) => setTimeout(resolve, 150))
    const { body } = await metrics.render()
    const max = Number(line(body, 'nodejs_eventloop_lag_max_seconds')?.split(' ')[1])
    expect(max).toBeGreaterThan(0.15)
    expect(line(body, 'nodejs_eventloop_lag_p99_seconds')).toBeDefined()
  })
})
