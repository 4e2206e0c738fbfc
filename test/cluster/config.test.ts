/** The scale-out settings (src/cluster/config.ts) as loadConfig validates them. */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

describe('scale-out configuration', () => {
  it('defaults to both roles, no fixed instance name, no drain delay, one NATS replica', () => {
    const config = loadConfig({})
    expect([...config.cluster.roles].sort()).toEqual(['api', 'worker'])
    expect(config.cluster.instanceId).toBeUndefined()
    expect(config.cluster.drainDelayMs).toBe(0)
    expect(config.cluster.natsReplicas).toBe(1)
    expect(config.worker).toBe(true)
  })

  it('EDGEFAAS_ROLES=api turns the worker off; EDGEFAAS_WORKER=false still does too', () => {
    const api = loadConfig({ EDGEFAAS_ROLES: ' API ' })
    expect([...api.cluster.roles]).toEqual(['api'])
    expect(api.worker).toBe(false)
    expect(loadConfig({ EDGEFAAS_ROLES: 'api,worker', EDGEFAAS_WORKER: 'false' }).worker).toBe(false)
    expect(loadConfig({ EDGEFAAS_ROLES: 'worker' }).worker).toBe(true)
  })

  it.each([
    [
      'EDGEFAAS_ROLES',
      'api,loops',
      /EDGEFAAS_ROLES: must be a comma-separated list of api, worker \(unknown: loops\)/,
    ],
    ['EDGEFAAS_ROLES', ',', /EDGEFAAS_ROLES: must be a comma-separated list/],
    ['EDGEFAAS_INSTANCE_ID', 'has space', /EDGEFAAS_INSTANCE_ID: must be 1 to 63 letters/],
    ['EDGEFAAS_INSTANCE_ID', 'x'.repeat(64), /EDGEFAAS_INSTANCE_ID/],
    ['EDGEFAAS_QUEUE_NATS_REPLICAS', '7', /EDGEFAAS_QUEUE_NATS_REPLICAS/],
    ['EDGEFAAS_DRAIN_DELAY_MS', '-1', /EDGEFAAS_DRAIN_DELAY_MS: must be a whole number/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })

  it('takes a valid instance name, drain delay and replica count', () => {
    const config = loadConfig({
      EDGEFAAS_INSTANCE_ID: 'serve-a.eu_1',
      EDGEFAAS_DRAIN_DELAY_MS: '15000',
      EDGEFAAS_QUEUE_NATS_REPLICAS: '3',
    })
    expect(config.cluster).toMatchObject({ instanceId: 'serve-a.eu_1', drainDelayMs: 15000, natsReplicas: 3 })
  })
})
