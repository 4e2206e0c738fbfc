/**
 * The audit log: each write through /system is recorded with its actor (admin, token:<id>, anonymous),
 * action, target, source and status, refused writes included; reads are not; pages are stable; each entry
 * is posted to the webhook with an HMAC signature the receiver can verify.
 */
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { type CallbackReceiver, startCallbackReceiver } from '../harness/callback-receiver.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { admin, createNamespace, createToken, withToken } from './helpers.ts'

const SECRET = 'audit-webhook-secret-0123456789'
let g: TestGateway
let receiver: CallbackReceiver

interface Entry {
  id: string
  at: string
  actor: string
  action: string
  target: string
  source: string
  status: number
}

const entries = async (): Promise<Entry[]> => {
  const response = await admin(g, 'GET', '/system/audit?limit=1000')
  expect(response.status).toBe(200)
  return ((await response.json()) as { items: Entry[] }).items
}

beforeAll(async () => {
  receiver = await startCallbackReceiver()
  g = await startTestGateway({
    EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1',
    EDGEFAAS_AUDIT_WEBHOOK_URL: receiver.url,
    EDGEFAAS_AUDIT_WEBHOOK_SECRET: SECRET,
  })
  await createNamespace(g, 'team-a')
}, 60_000)
afterAll(async () => {
  await g?.close()
  await receiver?.close()
})

describe('the audit log', () => {
  it('records a deploy by the admin and one by a token, with their actors and targets', async () => {
    const body = { service: 'audited', namespace: 'team-a', image: 'functions/alpine', envProcess: 'cat' }
    expect((await admin(g, 'POST', '/system/functions', body)).status).toBe(202)
    const { id, token } = await createToken(g, { scopes: ['deploy'], namespaces: ['team-a'] })
    expect((await withToken(g, token, 'PUT', '/system/functions', body)).status).toBe(202)
    const log = await entries()
    const deploy = log.find(
      (e) => e.action === 'POST /system/functions' && e.target === 'function audited.team-a',
    )
    expect(deploy).toMatchObject({
      actor: 'admin',
      status: 202,
      source: expect.stringMatching(/^127\.0\.0\.1/),
    })
    expect(log.find((e) => e.action === 'PUT /system/functions')).toMatchObject({
      actor: `token:${id}`,
      target: 'function audited.team-a',
      status: 202,
    })
    expect(log.find((e) => e.action === 'POST /system/tokens')).toMatchObject({
      actor: 'admin',
      target: 'token test',
      status: 201,
    })
  })

  it('records refused writes: no credentials, and a token outside its namespace', async () => {
    const { id, token } = await createToken(g, { scopes: ['deploy'], namespaces: ['team-a'] })
    const anonymous = await fetch(`${g.url}/system/secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stolen', value: 'x' }),
    })
    expect(anonymous.status).toBe(401)
    const outside = await withToken(g, token, 'DELETE', '/system/functions', {
      functionName: 'x',
      namespace: 'team-b',
    })
    expect(outside.status).toBe(403)
    const log = await entries()
    expect(log.find((e) => e.action === 'POST /system/secrets')).toMatchObject({
      actor: 'anonymous',
      status: 401,
      target: 'secret stolen',
    })
    expect(log.find((e) => e.actor === `token:${id}`)).toMatchObject({
      action: 'DELETE /system/functions',
      target: 'function x.team-b',
      status: 403,
    })
  })

  it('does not record reads', async () => {
    const before = (await entries()).length
    await admin(g, 'GET', '/system/functions')
    await admin(g, 'GET', '/system/tokens')
    expect((await entries()).length).toBe(before)
  })

  it('pages newest first with a cursor, and refuses a cursor it did not hand out', async () => {
    const all = await entries()
    const first = (await (await admin(g, 'GET', '/system/audit?limit=2')).json()) as {
      items: Entry[]
      next: string
    }
    expect(first.items.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id))
    const second = (await (
      await admin(g, 'GET', `/system/audit?limit=2&after=${encodeURIComponent(first.next)}`)
    ).json()) as { items: Entry[] }
    expect(second.items.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id))
    expect((await admin(g, 'GET', '/system/audit?after=garbage')).status).toBe(400)
    expect((await admin(g, 'GET', '/system/audit?limit=0')).status).toBe(400)
  })

  it('posts each entry to the webhook, signed over the timestamp and the body', async () => {
    const log = await entries()
    await pollUntil(
      'the webhook to receive every entry',
      async () => (receiver.calls.get('undefined')?.length ?? 0) >= log.length,
      10_000,
    )
    const received = receiver.calls.get('undefined') ?? []
    for (const { headers, body } of received) {
      const timestamp = String(headers['x-edgefaas-timestamp'])
      const expected = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')
      expect(headers['x-edgefaas-signature']).toBe(`sha256=${expected}`)
      expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60)
    }
    const ids = new Set(received.map((r) => (JSON.parse(r.body) as Entry).id))
    for (const entry of log) expect(ids.has(entry.id)).toBe(true)
  })
})

describe('webhook configuration', () => {
  it('needs the secret with the URL, and checks the URL like a callback', () => {
    expect(() => loadConfig({ EDGEFAAS_AUDIT_WEBHOOK_URL: 'https://audit.example/' })).toThrow(
      /set both or neither/,
    )
    expect(() =>
      loadConfig({
        EDGEFAAS_AUDIT_WEBHOOK_URL: 'http://169.254.169.254/latest',
        EDGEFAAS_AUDIT_WEBHOOK_SECRET: SECRET,
      }),
    ).toThrow(/EDGEFAAS_AUDIT_WEBHOOK_URL: .*private, loopback, link-local/)
    expect(() =>
      loadConfig({
        EDGEFAAS_AUDIT_WEBHOOK_URL: 'https://audit.example/',
        EDGEFAAS_AUDIT_WEBHOOK_SECRET: 'short',
      }),
    ).toThrow(/at least 16 characters/)
  })
})
