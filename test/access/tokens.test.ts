/**
 * Scoped API tokens end to end on a real gateway: scopes by action and namespace, revocation, expiry,
 * basic auth still working, and the real faas-cli driving the API with a token (`--token`, and a saved
 * config entry with `auth: oauth2`, the two ways faas-cli 0.18 sends `Authorization: Bearer`).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret, newToken } from '../../src/access/tokens.ts'
import { runFaasCli } from '../harness/faas-cli.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { admin, createNamespace, createToken, deployEcho, withToken } from './helpers.ts'

let g: TestGateway
let home: string

beforeAll(async () => {
  g = await startTestGateway({
    EDGEFAAS_SECRETS_KEY: 'A'.repeat(43).concat('='),
    EDGEFAAS_TOKEN_CACHE_MS: '0',
  })
  home = await mkdtemp(join(tmpdir(), 'edgefaas-tokens-'))
  await createNamespace(g, 'team-a')
  await createNamespace(g, 'team-b')
  await deployEcho(g, 'echo', 'team-a')
  await deployEcho(g, 'echo', 'team-b')
}, 60_000)
afterAll(async () => {
  await g?.close()
  await rm(home, { recursive: true, force: true })
})

const invoke = (path: string, token?: string) =>
  fetch(`${g.url}${path}`, {
    method: 'POST',
    body: 'hi',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })

describe('token management', () => {
  it('shows the secret once, lists without it, and keeps only a hash', async () => {
    const created = await createToken(g, {
      name: 'ci',
      scopes: ['deploy'],
      namespaces: ['team-a'],
      expiresIn: '30d',
    })
    expect(created.token).toMatch(/^eft_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
    const listed = (await (await admin(g, 'GET', '/system/tokens')).json()) as Array<Record<string, unknown>>
    const mine = listed.find((t) => t.id === created.id)
    expect(mine).toMatchObject({ name: 'ci', scopes: ['deploy'], namespaces: ['team-a'], revokedAt: null })
    expect(JSON.stringify(listed)).not.toContain(created.token.slice(21))
    const stored = await g.deps.store.getApiToken(created.id)
    expect(stored?.secretHash).toBe(await hashSecret(created.token.slice(21)))
    expect(new Date(String(mine?.expiresAt)).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000)
  })

  it('refuses a bad token request with a message naming the field', async () => {
    const bad = await admin(g, 'POST', '/system/tokens', {
      name: 'x',
      scopes: ['root'],
      namespaces: ['team-a'],
    })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/scopes\.0: must be one of read, deploy, secrets, invoke, admin/)
    const noNs = await admin(g, 'POST', '/system/tokens', { name: 'x', scopes: ['read'], namespaces: [] })
    expect(noNs.status).toBe(400)
    const expiry = await admin(g, 'POST', '/system/tokens', {
      name: 'x',
      scopes: ['read'],
      namespaces: ['*'],
      expiresIn: '30 days',
    })
    expect(expiry.status).toBe(400)
    expect(await expiry.text()).toMatch(/expiresIn/)
  })

  it('token routes are admin-only: even an all-namespace deploy token cannot mint tokens', async () => {
    const { token } = await createToken(g, {
      scopes: ['deploy', 'read', 'secrets', 'invoke'],
      namespaces: ['*'],
    })
    const response = await withToken(g, token, 'POST', '/system/tokens', {
      name: 'escalate',
      scopes: ['admin'],
      namespaces: ['*'],
    })
    expect(response.status).toBe(403)
    expect((await withToken(g, token, 'GET', '/system/audit')).status).toBe(403)
  })
})

describe('an invoke token on team-a', () => {
  let token: string
  beforeAll(async () => {
    ;({ token } = await createToken(g, { scopes: ['invoke'], namespaces: ['team-a'] }))
    await admin(g, 'PUT', '/system/functions', {
      service: 'echo',
      namespace: 'team-a',
      image: 'functions/alpine',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/auth': 'token' },
    })
    await admin(g, 'PUT', '/system/functions', {
      service: 'echo',
      namespace: 'team-b',
      image: 'functions/alpine',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/auth': 'token' },
    })
  })

  it('invokes a token-protected function in team-a', async () => {
    const response = await invoke('/function/echo.team-a', token)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('hi')
  })

  it('cannot invoke in team-b, and cannot read or deploy anything', async () => {
    expect((await invoke('/function/echo.team-b', token)).status).toBe(403)
    expect((await withToken(g, token, 'GET', '/system/functions?namespace=team-a')).status).toBe(403)
    expect((await withToken(g, token, 'GET', '/system/secrets?namespace=team-a')).status).toBe(403)
    const deploy = await withToken(g, token, 'POST', '/system/functions', {
      service: 'nope',
      namespace: 'team-a',
      image: 'functions/alpine',
    })
    expect(deploy.status).toBe(403)
  })

  it('without a token the function answers 401 saying what is missing', async () => {
    const response = await invoke('/function/echo.team-a')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await response.text()).toMatch(/needs an API token with the invoke scope/)
    expect(
      (
        await invoke(
          '/function/echo.team-a',
          'eft_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        )
      ).status,
    ).toBe(401)
  })

  it('the function never sees the token', async () => {
    await deployEcho(g, 'headers', 'team-a', { 'edgefaas.dev/auth': 'token' }, 'env')
    const response = await invoke('/function/headers.team-a', token)
    const env = await response.text()
    expect(response.status).toBe(200)
    expect(env).not.toContain(token)
    expect(env).toMatch(/Http_X_Edgefaas_Token_Id=[0-9a-f]{16}/)
  })
})

describe('a deploy token on team-a', () => {
  let token: string
  beforeAll(async () => {
    ;({ token } = await createToken(g, { scopes: ['deploy'], namespaces: ['team-a'] }))
  })

  it('deploys, lists and describes in team-a', async () => {
    const deployed = await withToken(g, token, 'POST', '/system/functions', {
      service: 'by-token',
      namespace: 'team-a',
      image: 'functions/alpine',
      envProcess: 'cat',
    })
    expect(deployed.status, await deployed.clone().text()).toBe(202)
    expect((await withToken(g, token, 'GET', '/system/functions?namespace=team-a')).status).toBe(200)
    expect((await withToken(g, token, 'GET', '/system/function/by-token.team-a')).status).toBe(200)
  })

  it('cannot read secrets in team-a', async () => {
    const response = await withToken(g, token, 'GET', '/system/secrets?namespace=team-a')
    expect(response.status).toBe(403)
    expect(await response.text()).toMatch(/lacks the "secrets" scope/)
  })

  it('cannot touch team-b by query, body, path suffix, or a second namespace parameter', async () => {
    const body = { service: 'x', namespace: 'team-b', image: 'functions/alpine' }
    expect((await withToken(g, token, 'POST', '/system/functions', body)).status).toBe(403)
    expect((await withToken(g, token, 'POST', '/system/functions?namespace=team-a', body)).status).toBe(403)
    expect((await withToken(g, token, 'GET', '/system/functions?namespace=team-b')).status).toBe(403)
    expect(
      (await withToken(g, token, 'GET', '/system/functions?namespace=team-a&namespace=team-b')).status,
    ).toBe(403)
    expect((await withToken(g, token, 'GET', '/system/function/echo.team-b')).status).toBe(403)
    expect(
      (
        await withToken(g, token, 'DELETE', '/system/functions', {
          functionName: 'echo',
          namespace: 'team-b',
        })
      ).status,
    ).toBe(403)
    expect(
      (
        await withToken(g, token, 'POST', '/system/scale-function/echo.team-b', {
          serviceName: 'echo',
          replicas: 0,
        })
      ).status,
    ).toBe(403)
    // A body over the API limit is refused, not waited on, while its namespace is being looked for.
    const huge = { ...body, namespace: 'team-a', annotations: { a: 'x'.repeat(3 * 1024 * 1024) } }
    // In process: over a socket the client is still sending when the 413 comes back, and undici reports
    // the closed connection instead of the answer.
    const tooLarge = await g.request('/system/functions', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(huge),
    })
    expect(tooLarge.status).toBe(413)
    // The default namespace is another namespace too.
    expect((await withToken(g, token, 'GET', '/system/functions')).status).toBe(403)
    // Cluster-wide things need every namespace.
    expect((await withToken(g, token, 'GET', '/system/backends')).status).toBe(403)
    expect((await admin(g, 'GET', '/system/function/echo?namespace=team-b')).status).toBe(200)
  })
})

describe('revoked and expired tokens', () => {
  it('a revoked token fails at once on this gateway', async () => {
    const { id, token } = await createToken(g, { scopes: ['read'], namespaces: ['*'] })
    expect((await withToken(g, token, 'GET', '/system/functions')).status).toBe(200)
    expect((await admin(g, 'DELETE', `/system/tokens/${id}`)).status).toBe(204)
    expect((await withToken(g, token, 'GET', '/system/functions')).status).toBe(401)
    expect((await admin(g, 'DELETE', `/system/tokens/${id}`)).status).toBe(409)
    expect((await admin(g, 'DELETE', '/system/tokens/0123456789abcdef')).status).toBe(404)
  })

  it('an expired token fails', async () => {
    const made = newToken()
    await g.deps.store.createApiToken({
      id: made.id,
      name: 'expired',
      secretHash: await hashSecret(made.secret),
      scopes: ['admin'],
      namespaces: ['*'],
      functions: null,
      createdAt: new Date(Date.now() - 60_000),
      expiresAt: new Date(Date.now() - 1000),
      revokedAt: null,
    })
    expect((await withToken(g, made.token, 'GET', '/system/info')).status).toBe(401)
  })

  it('basic auth for the admin keeps working beside tokens', async () => {
    expect((await admin(g, 'GET', '/system/functions')).status).toBe(200)
  })
})

describe('faas-cli with a token', () => {
  const faasCli = (args: string[], env: Record<string, string> = {}) => runFaasCli(args, { home, env })

  it('deploys, lists and removes with --token, and is refused outside its namespace', async () => {
    const { token } = await createToken(g, { scopes: ['deploy'], namespaces: ['team-a'] })
    const deploy = await faasCli([
      'deploy',
      '-g',
      g.url,
      '--token',
      token,
      '--image',
      'functions/alpine',
      '--name',
      'cli-fn',
      '--fprocess',
      'cat',
      '-n',
      'team-a',
    ])
    expect(deploy.code, deploy.output).toBe(0)
    const list = await faasCli(['list', '-g', g.url, '--token', token, '-n', 'team-a'])
    expect(list.code, list.output).toBe(0)
    expect(list.output).toContain('cli-fn')
    const elsewhere = await faasCli(['list', '-g', g.url, '--token', token, '-n', 'team-b'])
    expect(elsewhere.code).not.toBe(0)
    expect(elsewhere.output).toMatch(/403|forbidden/)
    const remove = await faasCli(['remove', 'cli-fn', '-g', g.url, '--token', token, '-n', 'team-a'])
    expect(remove.code, remove.output).toBe(0)
  })

  it('uses a token saved in its config file (auth: oauth2)', async () => {
    const { token } = await createToken(g, { scopes: ['read'], namespaces: ['team-a'] })
    const dir = join(home, 'saved')
    await mkdir(dir, { recursive: true })
    await writeFile(
      join(dir, 'config.yml'),
      `auths:\n- gateway: ${g.url}\n  auth: oauth2\n  token: ${token}\n`,
    )
    const list = await faasCli(['list', '-g', g.url, '-n', 'team-a'], { OPENFAAS_CONFIG: dir })
    expect(list.code, list.output).toBe(0)
    expect(list.output).toContain('echo')
    const revoked = await faasCli(['list', '-g', g.url, '-n', 'team-a'], {
      OPENFAAS_CONFIG: join(home, 'nothing'),
    })
    expect(revoked.code).not.toBe(0)
    expect(revoked.output).toMatch(/unauthorized/i)
  })
})
