/**
 * The certificate series on the Workers registry (deltas summed by the aggregator): each domain's
 * expiry and failed orders, and a domain that is gone dropped on the next report.
 */
import { expect, it } from 'vitest'
import { createDeltaMetrics, MetricTotals } from '../../src/metrics/delta.ts'

it('reports each certificate expiry and failure count, and drops domains no longer listed', () => {
  const totals = new MetricTotals()
  const metrics = createDeltaMetrics({
    render: async () => totals.render(),
    invocationCounts: async () => new Map(),
  })
  metrics.setCertificates?.([
    { host: 'a.example.com', source: 'acme', notAfter: new Date('2027-01-01T00:00:00Z'), attempts: 0 },
    { host: 'b.example.com', source: null, notAfter: null, attempts: 3 },
  ])
  totals.apply(metrics.take()!)
  let text = totals.render()
  expect(text).toContain('# TYPE edgefaas_certificate_expiry_timestamp_seconds gauge')
  expect(text).toContain(
    'edgefaas_certificate_expiry_timestamp_seconds{host="a.example.com",source="acme"} 1798761600',
  )
  expect(text).toContain('edgefaas_certificate_order_failures{host="b.example.com"} 3')
  expect(text).not.toContain('edgefaas_certificate_expiry_timestamp_seconds{host="b.example.com"')

  metrics.setCertificates?.([
    { host: 'b.example.com', source: 'acme', notAfter: new Date('2027-02-01T00:00:00Z'), attempts: 0 },
  ])
  totals.apply(metrics.take()!)
  text = totals.render()
  expect(text).not.toContain('a.example.com')
  expect(text).toContain('edgefaas_certificate_order_failures{host="b.example.com"} 0')
})
