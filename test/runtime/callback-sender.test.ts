/**
 * The Node callback transport checks the addresses it connects to, not only the URL checked at enqueue:
 * a name re-pointed after enqueue (DNS rebinding) or an IP literal the policy now refuses is never
 * called. The resolver is replaced so a test name can answer with the address the case needs; the
 * receiver is a real server.
 */
import type { LookupAddress } from 'node:dns'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCallbackAllowList } from '../../src/queue/callback-policy.ts'
import { createCallbackSender, type ResolveAll } from '../../src/runtime/node/callback-sender.ts'
import { type CallbackReceiver, startCallbackReceiver } from '../harness/callback-receiver.ts'

function policyOf(text: string) {
  const policy = parseCallbackAllowList(text)
  if (typeof policy === 'string') throw new Error(policy)
  return policy
}

/** Answers every name with `addresses`, as a DNS server under an attacker's control would. */
function answering(addresses: LookupAddress[]): ResolveAll {
  return (_hostname, _options, callback) => queueMicrotask(() => callback(null, addresses))
}

const headers = () => new Headers({ 'x-call-id': 'cb-1' })
const body = new TextEncoder().encode('result')

describe('callback sender (Node)', () => {
  let receiver: CallbackReceiver
  let port: string
  beforeAll(async () => {
    receiver = await startCallbackReceiver()
    port = new URL(receiver.url).port
  })
  afterAll(() => receiver.close())

  it('refuses a name that resolves to an IPv4-compatible IPv6 address', async () => {
    const send = createCallbackSender(policyOf(''), answering([{ address: '::7f00:1', family: 6 }]))
    await expect(send(`http://rebound.test:${port}/cb`, headers(), body)).rejects.toMatchObject({
      name: 'CallbackRefused',
    })
  })

  it('refuses a name that resolves to a NAT64 address around a private IPv4 address', async () => {
    const send = createCallbackSender(policyOf(''), answering([{ address: '64:ff9b::a00:1', family: 6 }]))
    await expect(send(`http://rebound.test:${port}/cb`, headers(), body)).rejects.toMatchObject({
      name: 'CallbackRefused',
    })
  })

  it('refuses an IP literal the policy refuses, without connecting', async () => {
    const send = createCallbackSender(policyOf(''))
    for (const host of ['[::7f00:1]', '[::ffff:127.0.0.1]', '127.0.0.1']) {
      await expect(send(`http://${host}:${port}/cb`, headers(), body), host).rejects.toMatchObject({
        name: 'CallbackRefused',
      })
    }
    expect(receiver.calls.size).toBe(0)
  })

  it('dispatches only http and https URLs', async () => {
    const send = createCallbackSender(policyOf('127.0.0.0/8'))
    for (const url of ['ftp://127.0.0.1/cb', 'file:///etc/passwd', 'not a url']) {
      await expect(send(url, headers(), body), url).rejects.toMatchObject({ name: 'CallbackRefused' })
    }
  })

  it('reuses kept-alive connections for consecutive callbacks to one receiver', async () => {
    const send = createCallbackSender(policyOf('127.0.0.0/8'))
    const before = receiver.connections()
    for (let i = 0; i < 6; i++) expect(await send(`http://127.0.0.1:${port}/cb`, headers(), body)).toBe(200)
    // undici may open a second connection while the first is handed back to its pool; never one per call.
    expect(receiver.connections() - before).toBeLessThanOrEqual(2)
  })

  it('connects to the allowed address a name resolves to, skipping refused ones', async () => {
    const send = createCallbackSender(
      policyOf('127.0.0.0/8'),
      answering([
        { address: '::7f00:1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ]),
    )
    expect(await send(`http://receiver.test:${port}/cb`, headers(), body)).toBe(200)
    expect(receiver.calls.get('cb-1')?.[0]?.body).toBe('result')
  })
})
