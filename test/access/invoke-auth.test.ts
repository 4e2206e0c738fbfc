/**
 * Per-function invoke auth on a real gateway: `jwt` against a JWKS served on loopback (and a static
 * key), with every classic forgery refused; `token` in a header or an opted-in query parameter; `private`
 * hidden from HTTP but run from the queue. Functions are `env`, so what the function saw is in the body.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { admin, createNamespace, createToken, deployEcho } from './helpers.ts'

let g: TestGateway
let jwks: http.Server
let jwksUrl: string
let keys: Awaited<ReturnType<typeof generateKeyPair>>
let otherKeys: Awaited<ReturnType<typeof generateKeyPair>>
let publicPem: string
const ISSUER = 'https://idp.example.test/'
const AUDIENCE = 'edgefaas-tests'

const b64url = (text: string) => Buffer.from(text).toString('base64url')

async function sign(
  claims: JWTPayload = {},
  options: {
    key?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
    alg?: string
    expiresIn?: string | number
  } = {},
): Promise<string> {
  const jwt = new SignJWT({ sub: 'alice', email: 'alice@example.test', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: 'k1' })
    .setIssuedAt()
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
  jwt.setExpirationTime(options.expiresIn ?? '5m')
  return jwt.sign(options.key ?? keys.privateKey)
}

const call = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${g.url}${path}`, { method: 'POST', body: 'x', headers })

beforeAll(async () => {
  keys = await generateKeyPair('RS256', { extractable: true })
  otherKeys = await generateKeyPair('RS256', { extractable: true })
  publicPem = await exportSPKI(keys.publicKey)
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  jwks = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`
  g = await startTestGateway({
    EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1',
    EDGEFAAS_RETRY_MIN_WAIT_MS: '100',
    EDGEFAAS_RETRY_MAX_WAIT_MS: '2000',
  })
  await createNamespace(g, 'team-a')
  const jwtAnnotations = {
    'edgefaas.dev/auth': 'jwt',
    'edgefaas.dev/jwt-algorithms': 'RS256',
    'edgefaas.dev/jwt-issuer': ISSUER,
    'edgefaas.dev/jwt-audience': AUDIENCE,
    'edgefaas.dev/jwt-claims': 'sub,email',
  }
  await Promise.all([
    deployEcho(g, 'jwt-env', 'team-a', { ...jwtAnnotations, 'edgefaas.dev/jwt-jwks-url': jwksUrl }, 'env'),
    deployEcho(
      g,
      'jwt-pem',
      'team-a',
      { ...jwtAnnotations, 'edgefaas.dev/jwt-public-key': publicPem },
      'env',
    ),
    deployEcho(g, 'hidden', 'team-a', { 'edgefaas.dev/auth': 'private' }, 'env'),
    deployEcho(
      g,
      'keyed',
      'team-a',
      { 'edgefaas.dev/auth': 'token', 'edgefaas.dev/auth-query-param': 'key' },
      'env',
    ),
  ])
}, 90_000)
afterAll(async () => {
  await g?.close()
  await new Promise((resolve) => jwks?.close(resolve))
})

describe('a jwt function', () => {
  it('accepts a token signed by the JWKS key and forwards the chosen claims, not the token', async () => {
    const token = await sign()
    const response = await call('/function/jwt-env.team-a', { authorization: `Bearer ${token}` })
    const env = await response.text()
    expect(response.status, env).toBe(200)
    expect(env).toContain('Http_X_Jwt_Claim_Sub=alice')
    expect(env).toContain('Http_X_Jwt_Claim_Email=alice@example.test')
    expect(env).not.toContain(token)
    expect(env).not.toMatch(/Http_Authorization/)
  })

  it('replaces claim headers the caller sent itself', async () => {
    const response = await call('/function/jwt-env.team-a', {
      authorization: `Bearer ${await sign({ sub: 'bob' })}`,
      'x-jwt-claim-sub': 'mallory',
      'x-jwt-claim-role': 'admin',
    })
    const env = await response.text()
    expect(env).toContain('Http_X_Jwt_Claim_Sub=bob')
    expect(env).not.toContain('mallory')
    expect(env).not.toContain('Http_X_Jwt_Claim_Role')
  })

  it('accepts a token checked against a static public key', async () => {
    const response = await call('/function/jwt-pem.team-a', { authorization: `Bearer ${await sign()}` })
    expect(response.status).toBe(200)
  })

  const forgeries: Array<[string, () => Promise<string>]> = [
    ['expired', () => sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    [
      'for another audience',
      () =>
        new SignJWT({ sub: 'alice' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(ISSUER)
          .setAudience('another-app')
          .setExpirationTime('5m')
          .sign(keys.privateKey),
    ],
    [
      'from another issuer',
      () =>
        new SignJWT({ sub: 'alice' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer('https://evil.example/')
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(keys.privateKey),
    ],
    ['signed by another key', () => sign({}, { key: otherKeys.privateKey })],
    [
      'with alg none',
      async () => {
        const exp = Math.floor(Date.now() / 1000) + 300
        return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp }))}.`
      },
    ],
    [
      'HS256-signed with the RSA public key as the secret (HS/RS confusion)',
      () =>
        new SignJWT({ sub: 'alice' })
          .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(publicPem)),
    ],
    [
      'without an expiry',
      () =>
        new SignJWT({ sub: 'alice' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(keys.privateKey),
    ],
    ['that is not a JWT at all', async () => 'not.a.jwt'],
  ]
  for (const [what, make] of forgeries) {
    it(`refuses a token ${what}, saying only that a valid JWT is needed`, async () => {
      for (const fn of ['jwt-env', 'jwt-pem']) {
        const response = await call(`/function/${fn}.team-a`, { authorization: `Bearer ${await make()}` })
        expect(response.status, fn).toBe(401)
        expect(await response.text()).toMatch(/^unauthorized: this function needs a valid JWT/)
      }
    })
  }

  it('refuses a call without a token', async () => {
    expect((await call('/function/jwt-env.team-a')).status).toBe(401)
  })

  it('refuses jwt settings that would accept forgeries, at deploy, naming the annotation', async () => {
    const base = {
      service: 'bad-jwt',
      namespace: 'team-a',
      image: 'functions/alpine',
      envProcess: 'env',
    }
    const good = {
      'edgefaas.dev/auth': 'jwt',
      'edgefaas.dev/jwt-algorithms': 'RS256',
      'edgefaas.dev/jwt-issuer': ISSUER,
      'edgefaas.dev/jwt-audience': AUDIENCE,
      'edgefaas.dev/jwt-jwks-url': jwksUrl,
    }
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'edgefaas.dev/jwt-algorithms': 'none' }, /jwt-algorithms: "none" is not accepted/],
      [{ 'edgefaas.dev/jwt-algorithms': 'RS256,HS256' }, /"HS256" is not accepted/],
      [{ 'edgefaas.dev/jwt-audience': '' }, /needs edgefaas.dev\/jwt-audience/],
      [{ 'edgefaas.dev/jwt-jwks-url': 'http://10.1.2.3/jwks' }, /private, loopback/],
      [{ 'edgefaas.dev/jwt-jwks-url': 'http://idp.example.test/jwks' }, /must use https/],
      [{ 'edgefaas.dev/jwt-public-key': publicPem }, /exactly one of/],
      [{ 'edgefaas.dev/auth': 'secret' }, /edgefaas.dev\/auth must be one of public, token, jwt, private/],
    ]
    for (const [override, message] of cases) {
      const response = await admin(g, 'POST', '/system/functions', {
        ...base,
        annotations: { ...good, ...override },
      })
      expect(response.status, JSON.stringify(override)).toBe(400)
      expect(await response.text()).toMatch(message)
    }
  })
})

describe('a token function with an opted-in query parameter', () => {
  it('takes the token from the parameter and does not forward it', async () => {
    const { token } = await createToken(g, {
      scopes: ['invoke'],
      namespaces: ['team-a'],
      functions: ['keyed'],
    })
    const response = await call(`/function/keyed.team-a?a=1&key=${token}&b=2`)
    const env = await response.text()
    expect(response.status, env).toBe(200)
    expect(env).toContain('Http_Query=a=1&b=2')
    expect(env).not.toContain(token)
    expect((await call('/function/keyed.team-a?key=eft_nope')).status).toBe(401)
  })

  it('a token limited to other functions is refused', async () => {
    const { token } = await createToken(g, {
      scopes: ['invoke'],
      namespaces: ['team-a'],
      functions: ['other'],
    })
    expect((await call('/function/keyed.team-a', { authorization: `Bearer ${token}` })).status).toBe(403)
  })
})

describe('a private function', () => {
  it('answers 404 over HTTP, word for word as a missing function, even to an invoke token', async () => {
    const { token } = await createToken(g, { scopes: ['invoke'], namespaces: ['team-a'] })
    const hidden = await call('/function/hidden.team-a', { authorization: `Bearer ${token}` })
    const missing = await call('/function/nothing.team-a')
    expect(hidden.status).toBe(404)
    expect((await hidden.text()).replace('hidden', 'nothing')).toBe(await missing.text())
  })

  it('cannot be queued without an invoke token, and looks missing then', async () => {
    const response = await call('/async-function/hidden.team-a')
    expect(response.status).toBe(404)
    const other = await createToken(g, { scopes: ['invoke'], namespaces: ['team-b'] })
    expect(
      (await call('/async-function/hidden.team-a', { authorization: `Bearer ${other.token}` })).status,
    ).toBe(404)
  })

  it('runs from cron, which queues without HTTP', async () => {
    await deployEcho(g, 'hidden-cron', 'team-a', {
      'edgefaas.dev/auth': 'private',
      topic: 'cron-function',
      schedule: '* * * * * *',
    })
    expect((await call('/function/hidden-cron.team-a')).status).toBe(404)
    // The function's own 200s, counted by the proxy after the gate admitted the queued call.
    await pollUntil(
      'a cron call to the private function to be answered 200 by it',
      async () => {
        const metrics = await (await admin(g, 'GET', '/metrics')).text()
        return metrics
          .split('\n')
          .some(
            (line) =>
              line.startsWith('gateway_function_invocation_total') &&
              line.includes('hidden-cron.team-a') &&
              line.includes('code="200"'),
          )
      },
      30_000,
    )
  })

  it('runs from the queue when an invoke token queued it', async () => {
    const { token } = await createToken(g, { scopes: ['invoke'], namespaces: ['team-a'] })
    const queued = await call('/async-function/hidden.team-a', { authorization: `Bearer ${token}` })
    expect(queued.status).toBe(202)
    const id = queued.headers.get('x-call-id')
    await pollUntil(
      'the queued call to the private function to succeed',
      async () => {
        const status = await admin(g, 'GET', `/system/calls/${id}`)
        return status.status === 200 && ((await status.json()) as { status: string }).status === 'succeeded'
      },
      30_000,
    )
  })
})
