/**
 * @module
 * What custom domains add to every request: normalising the Host and looking it up in a table of 10,000
 * exact domains and 1,000 wildcards, for a mapped host, a wildcard match, and an unknown host (the API).
 * `node --disable-warning=ExperimentalWarning bench/domains.ts`
 */
import { normaliseRequestHost } from '../src/domains/host.ts'
import { buildDomainTable, type DomainRoute, resolveDomain } from '../src/domains/resolve.ts'

const records: DomainRoute[] = []
for (let i = 0; i < 10_000; i++) {
  records.push({
    host: `fn${i}.example.com`,
    namespace: 'openfaas-fn',
    functionName: `f${i}`,
    pathPrefix: i % 2 ? '/v1' : '/',
    redirectHttps: false,
    tls: 'none',
  })
}
for (let i = 0; i < 1000; i++) {
  records.push({
    host: `*.t${i}.example.org`,
    namespace: 'openfaas-fn',
    functionName: `w${i}`,
    pathPrefix: '/',
    redirectHttps: false,
    tls: 'none',
  })
}
const table = buildDomainTable(records)
const N = 2_000_000
for (const [what, header] of [
  ['exact domain', 'FN4241.example.com:8080'],
  ['wildcard, 2 labels deep', 'a.b.t77.example.org'],
  ['unknown host', 'gateway.internal:8080'],
] as const) {
  let matched = 0
  const started = performance.now()
  for (let i = 0; i < N; i++) {
    const host = normaliseRequestHost(header)
    if (host !== null && resolveDomain(table, host, '/v1/hello') !== null) matched++
  }
  const ns = ((performance.now() - started) * 1e6) / N
  console.log(
    `${what.padEnd(26)} ${ns.toFixed(0).padStart(5)} ns per request  (${matched === N ? 'match' : 'no match'})`,
  )
}
