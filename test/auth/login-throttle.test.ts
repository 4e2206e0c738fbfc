/**
 * Failed-login throttling, first as a unit on a fake clock (window, lockout, backoff, reset, memory
 * bound), then on a real gateway: ten wrong passwords from one address and the eleventh request is a 429
 * with Retry-After, even with the right password, while another address still logs in; every failure is
 * logged with the address and never the password.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientKey, createLoginThrottle } from '../../src/auth/login-throttle.ts'
import { defaultDenyAuth } from '../../src/auth/middleware.ts'
import { loadConfig } from '../../src/config.ts'
import type { Logger } from '../../src/logger.ts'
import { type RunningGateway, startGateway } from '../../src/runtime/node/gateway.ts'

describe('login throttle', () => {
  const clock = () => {
    let t = 1_000_000
    return { now: () => t, advance: (ms: number) => (t += ms) }
  }

  it('locks a client out after 10 failures within a minute, for a minute, then doubles', () => {
    const time = clock()
    const throttle = createLoginThrottle({ now: time.now })
    for (let i = 0; i < 9; i++) expect(throttle.failure('10.0.0.1:1000').locked).toBe(false)
    expect(throttle.failure('10.0.0.1:1001')).toEqual({ locked: true, retryAfterSeconds: 60 })
    expect(throttle.check('10.0.0.1:1002')).toEqual({ locked: true, retryAfterSeconds: 60 })
    time.advance(59_500)
    expect(throttle.check('10.0.0.1:1')).toEqual({ locked: true, retryAfterSeconds: 1 })
    time.advance(500)
    expect(throttle.check('10.0.0.1:1').locked).toBe(false)
    for (let i = 0; i < 9; i++) throttle.failure('10.0.0.1:1')
    expect(throttle.failure('10.0.0.1:1')).toEqual({ locked: true, retryAfterSeconds: 120 })
  })

  it('counts failures in a sliding minute, and a success starts afresh', () => {
    const time = clock()
    const throttle = createLoginThrottle({ now: time.now })
    for (let i = 0; i < 9; i++) throttle.failure('10.0.0.2:1')
    time.advance(60_000)
    expect(throttle.failure('10.0.0.2:1').locked).toBe(false)
    for (let i = 0; i < 8; i++) throttle.failure('10.0.0.2:1')
    throttle.success('10.0.0.2:1')
    for (let i = 0; i < 9; i++) expect(throttle.failure('10.0.0.2:1').locked).toBe(false)
  })

  it('remembers a bounded number of clients, however many addresses fail', () => {
    const throttle = createLoginThrottle({ maxClients: 1000 })
    for (let i = 0; i < 5_000; i++) throttle.failure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:1`)
    expect(throttle.size).toBe(1000)
  })

  it('gives a burst of concurrent guesses no more than 10 tries', async () => {
    // In-process, so all 30 requests reach the middleware before any password compare has finished.
    const app = new Hono()
    app.use(
      '*',
      defaultDenyAuth({ credentials: { user: 'admin', password: 'pw' }, clientAddress: () => '10.9.9.9:1' }),
    )
    app.get('/system/functions', (c) => c.json([]))
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const headers = { authorization: `Basic ${btoa(`admin:burst-${i}`)}` }
        return (await app.request('/system/functions', { headers })).status
      }),
    )
    expect(statuses.filter((s) => s === 401)).toHaveLength(10)
    expect(statuses.filter((s) => s === 429)).toHaveLength(20)
  })

  it('keys clients by address without the port, IPv6 by /64', () => {
    expect(clientKey('1.2.3.4:5678')).toBe('1.2.3.4')
    expect(clientKey('1.2.3.4')).toBe('1.2.3.4')
    expect(clientKey('[::ffff:1.2.3.4]:80')).toBe('1.2.3.4')
    expect(clientKey('[2001:db8:1:2::1]:80')).toBe(clientKey('[2001:db8:1:2:ffff::9]:81'))
    expect(clientKey('2001:db8:1:2::1')).toBe(clientKey('[2001:db8:1:2::7]:1'))
    expect(clientKey('[2001:db8:1:3::1]:80')).not.toBe(clientKey('[2001:db8:1:2::1]:80'))
  })
})

describe('failed logins on a real gateway', () => {
  const PASSWORD = 'right-password-77'
  const logged: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = []
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logged.push({ level, message, ...(fields ? { fields } : {}) })
  const logger: Logger = {
    debug: capture('debug'),
    info: capture('info'),
    warn: capture('warn'),
    error: capture('error'),
  }
  let gateway: RunningGateway
  let port: number
  beforeAll(async () => {
    const config = loadConfig({
      EDGEFAAS_PORT: '0',
      EDGEFAAS_DATA_DIR: await mkdtemp(join(tmpdir(), 'edgefaas-throttle-')),
      EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_WORKER: 'false',
    })
    gateway = await startGateway(config, logger)
    port = gateway.port
  })
  afterAll(async () => {
    await gateway.close()
    await rm(gateway.deps.config.dataDir, { recursive: true, force: true })
  })

  /** GET /system/functions from a chosen loopback source address. */
  const login = (password: string, from: string) =>
    new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
      const request = http.get(
        {
          host: '127.0.0.1',
          port,
          path: '/system/functions',
          localAddress: from,
          headers: { authorization: `Basic ${btoa(`admin:${password}`)}` },
          agent: false,
        },
        (response) => {
          let body = ''
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString()
          })
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body }),
          )
        },
      )
      request.on('error', reject)
    })

  it('answers 429 with Retry-After after 10 failures, even to the right password, per address', async () => {
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}`, '127.0.0.1')).status).toBe(401)
    const locked = await login('guess-10', '127.0.0.1')
    expect(locked.status).toBe(429)
    expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(59)
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(60)
    expect(locked.body).toMatch(/too many failed logins/)
    expect((await login(PASSWORD, '127.0.0.1')).status).toBe(429)
    // Another client is not locked out by the first one's failures.
    expect((await login(PASSWORD, '127.0.0.2')).status).toBe(200)
  })

  it('forgets the failures of a client that logs in', async () => {
    for (let i = 0; i < 9; i++) expect((await login(`guess-${i}`, '127.0.0.3')).status).toBe(401)
    expect((await login(PASSWORD, '127.0.0.3')).status).toBe(200)
    for (let i = 0; i < 9; i++) expect((await login(`guess-${i}`, '127.0.0.3')).status).toBe(401)
    expect((await login(PASSWORD, '127.0.0.3')).status).toBe(200)
  })

  it('logs each failure at warn with the client address, never the password', async () => {
    const failures = logged.filter((e) => e.message.startsWith('failed login'))
    expect(failures.length).toBeGreaterThanOrEqual(10)
    expect(failures.every((e) => e.level === 'warn')).toBe(true)
    expect(failures[0]?.fields?.client).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(failures.some((e) => e.message.includes('locked out'))).toBe(true)
    expect(JSON.stringify(logged)).not.toMatch(/guess-|right-password/)
  })
})
