/**
 * Rate limits on one node (state in process): the function-wide limit and the per-caller one, the 429's
 * headers, a bad annotation refused at deploy, and the async worker retrying the calls it was refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { admin, createNamespace, createToken, deployEcho } from './helpers.ts'

let g: TestGateway

beforeAll(async () => {
  g = await startTestGateway({
    EDGEFAAS_RETRY_MIN_WAIT_MS: '100',
    EDGEFAAS_RETRY_MAX_WAIT_MS: '2000',
  })
  expect(g.deps.config.rateLimitState).toBe('memory')
  await createNamespace(g, 'team-a')
  await Promise.all([
    deployEcho(g, 'limited', 'team-a', { 'edgefaas.dev/rate-limit': '5/m burst 5' }),
    deployEcho(g, 'per-caller', 'team-a', {
      'edgefaas.dev/auth': 'token',
      'edgefaas.dev/rate-limit-per-caller': '2/m',
    }),
    deployEcho(g, 'queued', 'team-a', { 'edgefaas.dev/rate-limit': '2/s burst 1' }),
  ])
}, 60_000)
afterAll(async () => g?.close())

const call = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${g.url}${path}`, { method: 'POST', body: 'x', headers })

describe('a function-wide limit', () => {
  it('allows the burst, then answers 429 with Retry-After and RateLimit headers', async () => {
    const statuses: number[] = []
    let refused: Response | undefined
    for (let i = 0; i < 8; i++) {
      const response = await call('/function/limited.team-a')
      statuses.push(response.status)
      if (response.status === 429) refused ??= response
      else await response.arrayBuffer()
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429])
    expect(refused?.headers.get('retry-after')).toMatch(/^(1[0-2]|[1-9])$/)
    expect(refused?.headers.get('ratelimit-limit')).toBe('5')
    expect(refused?.headers.get('ratelimit-remaining')).toBe('0')
    expect(Number(refused?.headers.get('ratelimit-reset'))).toBeGreaterThan(50)
    expect(refused?.headers.get('ratelimit-policy')).toBe('5;w=60;burst=5')
    expect(refused?.headers.get('x-openfaas-internal')).toBe('proxy')
    expect(await refused?.text()).toMatch(/too many requests: this function allows 5 per 60 s/)
  })
})

describe('a per-caller limit', () => {
  it('counts each token apart', async () => {
    const a = await createToken(g, { scopes: ['invoke'], namespaces: ['team-a'] })
    const b = await createToken(g, { scopes: ['invoke'], namespaces: ['team-a'] })
    const as = (t: string) =>
      call('/function/per-caller.team-a', { authorization: `Bearer ${t}` }).then((r) => r.status)
    expect([await as(a.token), await as(a.token), await as(a.token)]).toEqual([200, 200, 429])
    expect([await as(b.token), await as(b.token), await as(b.token)]).toEqual([200, 200, 429])
  })
})

describe('deploy', () => {
  it('refuses a limit it cannot read, naming the annotation', async () => {
    const response = await admin(g, 'POST', '/system/functions', {
      service: 'bad-limit',
      namespace: 'team-a',
      image: 'functions/alpine',
      annotations: { 'edgefaas.dev/rate-limit': 'lots' },
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(/annotation edgefaas.dev\/rate-limit must read like "100\/s"/)
  })
})

describe('the async worker', () => {
  it('retries calls the limit refused until each one runs', async () => {
    const ids: string[] = []
    for (let i = 0; i < 4; i++) {
      const queued = await call('/async-function/queued.team-a')
      expect(queued.status).toBe(202)
      ids.push(String(queued.headers.get('x-call-id')))
    }
    const states = async () =>
      Promise.all(
        ids.map(
          async (id) =>
            (await (await admin(g, 'GET', `/system/calls/${id}`)).json()) as {
              status: string
              attempts: number
            },
        ),
      )
    await pollUntil(
      'every rate-limited queued call to succeed',
      async () => (await states()).every((s) => s.status === 'succeeded'),
      30_000,
    )
    // Four calls at 2/s with a burst of 1 cannot all have run on their first attempt.
    expect((await states()).some((s) => s.attempts > 1)).toBe(true)
  })
})
