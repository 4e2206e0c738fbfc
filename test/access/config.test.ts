/**
 * The access-control variables: where rate-limit state lives by default, and bad values refused at start.
 */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'

describe('access configuration', () => {
  it('keeps rate-limit state in the store on PostgreSQL and in process otherwise, unless told', () => {
    expect(loadConfig({}).rateLimitState).toBe('memory')
    expect(loadConfig({ EDGEFAAS_DATABASE_URL: 'postgres://u:p@db/edgefaas' }).rateLimitState).toBe('store')
    expect(loadConfig({ EDGEFAAS_DATABASE_URL: 'postgresql://u:p@db/edgefaas' }).rateLimitState).toBe('store')
    expect(loadConfig({ EDGEFAAS_RATE_LIMIT_STATE: 'store' }).rateLimitState).toBe('store')
    expect(
      loadConfig({ EDGEFAAS_DATABASE_URL: 'postgres://db/x', EDGEFAAS_RATE_LIMIT_STATE: 'memory' })
        .rateLimitState,
    ).toBe('memory')
  })

  it('refuses bad values, naming the variable', () => {
    expect(() => loadConfig({ EDGEFAAS_RATE_LIMIT_STATE: 'redis' })).toThrow(/EDGEFAAS_RATE_LIMIT_STATE/)
    expect(() => loadConfig({ EDGEFAAS_TOKEN_CACHE_MS: '-1' })).toThrow(/EDGEFAAS_TOKEN_CACHE_MS/)
    expect(() => loadConfig({ EDGEFAAS_AUDIT_RETENTION_DAYS: '0' })).toThrow(/EDGEFAAS_AUDIT_RETENTION_DAYS/)
    expect(() =>
      loadConfig({ EDGEFAAS_AUDIT_WEBHOOK_URL: 'ftp://x/', EDGEFAAS_AUDIT_WEBHOOK_SECRET: 'x'.repeat(16) }),
    ).toThrow(/EDGEFAAS_AUDIT_WEBHOOK_URL/)
  })
})
