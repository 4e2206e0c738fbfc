/**
 * Locality: with the caller's origin (Workers' `request.cf`) and backend labels `colo` / `region`, the
 * router prefers the nearest healthy backend, keeps weights among equally near ones, falls back to a
 * farther healthy backend when the near one is ejected, and changes nothing without an origin.
 */
import { describe, expect, it } from 'vitest'
import type { Provider } from '../../providers/types.ts'
import { originOf, proximity } from '../../src/routing/locality.ts'
import { staticRegistry } from '../../src/routing/registry.ts'
import { createBackendRouter } from '../../src/routing/router.ts'
import type { FunctionRecord } from '../../src/store/types.ts'
import { seededRandom } from './seeded-random.ts'

const LABELS: Record<string, Record<string, string>> = {
  fra: { region: 'EU', colo: 'FRA' },
  ams: { region: 'eu-amsterdam' },
  iad: { region: 'NA' },
  plain: {},
}

function fn(placement: string[]): FunctionRecord {
  return {
    namespace: 'openfaas-fn',
    name: 'f',
    spec: { image: 'x', labels: {}, annotations: { 'edgefaas.dev/backends': placement.join(',') } },
    replicas: 1,
    placement,
    generation: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  }
}

function router() {
  const providers = Object.fromEntries(Object.keys(LABELS).map((n) => [n, {} as Provider]))
  const clock = { t: 1_000_000 }
  const r = createBackendRouter({
    providers: staticRegistry(providers),
    now: () => clock.t,
    random: seededRandom(7),
    labelsOf: (b) => LABELS[b] ?? {},
  })
  const share = (record: FunctionRecord, origin: Parameters<typeof r.choose>[2], calls = 1000) => {
    const counts: Record<string, number> = {}
    for (let i = 0; i < calls; i++) {
      const attempt = r.choose(record, [], origin)!
      counts[attempt.backend] = (counts[attempt.backend] ?? 0) + 1
      clock.t += 5
      r.finish(attempt, { kind: 'answered', status: 200 })
    }
    return counts
  }
  return { r, share, clock }
}

describe('locality', () => {
  it('reads the origin from request.cf and ranks colo, then continent, then the rest', () => {
    const req = Object.assign(new Request('http://x/'), { cf: { colo: 'fra', continent: 'EU' } })
    const origin = originOf(req)
    expect(origin).toEqual({ colo: 'FRA', continent: 'EU' })
    expect(originOf(new Request('http://x/'))).toBeNull()
    expect(proximity(LABELS.fra!, origin)).toBe(0)
    expect(proximity(LABELS.ams!, origin)).toBe(1)
    expect(proximity(LABELS.iad!, origin)).toBe(2)
    expect(proximity(LABELS.plain!, origin)).toBe(2)
    expect(proximity(LABELS.fra!, null)).toBe(2)
  })

  it('sends every call to the nearest backend, and spreads without an origin', () => {
    const { share } = router()
    const record = fn(['fra', 'ams', 'iad'])
    expect(share(record, { colo: 'FRA', continent: 'EU' })).toEqual({ fra: 1000 })
    expect(share(record, { colo: 'LHR', continent: 'EU' })).toEqual({
      fra: expect.any(Number),
      ams: expect.any(Number),
    })
    expect(share(record, { colo: 'IAD', continent: 'NA' })).toEqual({ iad: 1000 })
    const spread = share(record, null, 3000)
    for (const b of ['fra', 'ams', 'iad']) expect(spread[b]).toBeGreaterThan(700)
  })

  it('falls back to a farther healthy backend when the nearest is ejected', () => {
    const { r, share } = router()
    const record = fn(['fra', 'iad'])
    // Calls to fra fail until passive health ejects it.
    for (let i = 0; i < 50; i++) {
      const attempt = r.choose(record, [], { colo: 'FRA', continent: 'EU' })!
      if (attempt.backend !== 'fra') break
      r.finish(attempt, { kind: 'failed', code: 'unreachable', error: 'connect ECONNREFUSED' })
    }
    expect(r.health().get('fra')?.state).toBe('ejected')
    expect(share(record, { colo: 'FRA', continent: 'EU' }, 100).iad).toBeGreaterThan(90)
  })
})
