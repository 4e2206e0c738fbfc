/**
 * The autoscaler's variables: defaults, durations as OpenFaaS writes them, and a clear message for each
 * mistake.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

describe('autoscale configuration', () => {
  it('defaults: on, a 5 s tick, a 10 s window, 15 m to zero, a 30 s down window, target 50 × 0.9, the built-in source', () => {
    expect(loadConfig({}).autoscale).toEqual({
      enabled: true,
      intervalMs: 5000,
      windowMs: 10_000,
      zeroDurationMs: 900_000,
      target: 50,
      targetProportion: 0.9,
      downWindowMs: 30_000,
      alertRepeatMs: 10_000,
      historySize: 50,
      prometheus: null,
    })
  })

  it('reads Go durations and seconds, and Prometheus with basic auth or a token', () => {
    const config = loadConfig({
      EDGEFAAS_AUTOSCALE_INTERVAL: '2s',
      EDGEFAAS_SCALE_ZERO_DURATION: '90',
      EDGEFAAS_SCALE_TARGET: '7.5',
      EDGEFAAS_PROMETHEUS_URL: 'http://prometheus:9090',
      EDGEFAAS_PROMETHEUS_USER: 'u',
      EDGEFAAS_PROMETHEUS_PASSWORD: 'p',
    }).autoscale
    expect(config).toMatchObject({ intervalMs: 2000, zeroDurationMs: 90_000, target: 7.5 })
    expect(config.prometheus).toEqual({
      url: 'http://prometheus:9090',
      auth: { kind: 'basic', user: 'u', password: 'p' },
      timeoutMs: 3000,
    })
    expect(
      loadConfig({ EDGEFAAS_PROMETHEUS_URL: 'https://vm:8428', EDGEFAAS_PROMETHEUS_TOKEN: 't' }).autoscale
        .prometheus?.auth,
    ).toEqual({ kind: 'bearer', token: 't' })
  })

  it.each([
    [{ EDGEFAAS_AUTOSCALE_INTERVAL: 'soon' }, /EDGEFAAS_AUTOSCALE_INTERVAL: must be a duration/],
    [{ EDGEFAAS_AUTOSCALE_INTERVAL: '20m' }, /EDGEFAAS_AUTOSCALE_INTERVAL/],
    [{ EDGEFAAS_SCALE_ZERO_DURATION: '0' }, /EDGEFAAS_SCALE_ZERO_DURATION/],
    [{ EDGEFAAS_SCALE_TARGET: '-1' }, /EDGEFAAS_SCALE_TARGET: must be a number/],
    [{ EDGEFAAS_PROMETHEUS_URL: 'ftp://x' }, /EDGEFAAS_PROMETHEUS_URL: must be an http\(s\) URL/],
    [{ EDGEFAAS_PROMETHEUS_URL: 'http://p', EDGEFAAS_PROMETHEUS_USER: 'u' }, /go together/],
    [{ EDGEFAAS_PROMETHEUS_TOKEN: 't' }, /need EDGEFAAS_PROMETHEUS_URL/],
    [
      {
        EDGEFAAS_PROMETHEUS_URL: 'http://p',
        EDGEFAAS_PROMETHEUS_USER: 'u',
        EDGEFAAS_PROMETHEUS_PASSWORD: 'p',
        EDGEFAAS_PROMETHEUS_TOKEN: 't',
      },
      /exclude each other/,
    ],
    [
      { EDGEFAAS_AUTOSCALE_INTERVAL: '30s', EDGEFAAS_AUTOSCALE_WINDOW: '10s' },
      /at least EDGEFAAS_AUTOSCALE_INTERVAL/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
