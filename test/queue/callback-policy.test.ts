import { describe, expect, it } from 'vitest'
import { addressAllowed, checkCallbackUrl, parseCallbackAllowList } from '../../src/queue/callback-policy.ts'

const none = parseCallbackAllowList('')
if (typeof none === 'string') throw new Error(none)

describe('callback URL policy', () => {
  it.each([
    'http://127.0.0.1/cb',
    'http://10.0.0.1/cb',
    'http://169.254.169.254/latest/meta-data/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/', // 127.0.0.1 as one decimal number; URL parsing normalises it
    'http://0x7f.1/',
    // IPv6 forms that embed a refused IPv4 address.
    'http://[::127.0.0.1]/', // IPv4-compatible; URL parsing writes it as [::7f00:1]
    'http://[::7f00:1]/',
    'http://[::a9fe:a9fe]/', // 169.254.169.254
    'http://[::8.8.8.8]/', // IPv4-compatible addresses are deprecated: refused whatever they embed
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:0:127.0.0.1]/', // IPv4-translated (RFC 6145)
    'http://[64:ff9b::127.0.0.1]/', // NAT64
    'http://[64:ff9b::a00:1]/',
    'http://[64:ff9b:1::a00:1]/', // local-use NAT64 (RFC 8215)
    'http://[2002:7f00:1::1]/', // 6to4 around 127.0.0.1
    'http://[2002:c0a8:101::1]/', // 6to4 around 192.168.1.1
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', // Teredo
  ])('refuses %s', (url) => {
    expect(checkCallbackUrl(url, none).ok).toBe(false)
  })

  it.each([
    'ftp://example.com/',
    'file:///etc/passwd',
    'not a url',
    '/relative',
    'http://user:pw@example.com/',
  ])('refuses the form of %s', (url) => {
    expect(checkCallbackUrl(url, none).ok).toBe(false)
  })

  it('accepts public addresses and names (names are checked again after resolution)', () => {
    expect(checkCallbackUrl('https://93.184.215.14/cb', none).ok).toBe(true)
    expect(checkCallbackUrl('https://hooks.example.com/cb?x=1', none).ok).toBe(true)
    expect(checkCallbackUrl('https://[2606:4700::1111]/cb', none).ok).toBe(true)
  })

  it('judges a NAT64 address by the IPv4 address inside it, so DNS64 networks can reach public hosts', () => {
    expect(addressAllowed('64:ff9b::5db8:d70e', none)).toBe(true) // 93.184.215.14
    expect(addressAllowed('64:ff9b::7f00:1', none)).toBe(false)
    const loopback = parseCallbackAllowList('127.0.0.0/8')
    if (typeof loopback === 'string') throw new Error(loopback)
    expect(addressAllowed('64:ff9b::7f00:1', loopback)).toBe(true)
  })

  it('lets an allow-listed IPv6 range through even inside ::/96', () => {
    const policy = parseCallbackAllowList('::1/128')
    if (typeof policy === 'string') throw new Error(policy)
    expect(checkCallbackUrl('http://[::1]:9000/cb', policy).ok).toBe(true)
    expect(checkCallbackUrl('http://[::7f00:1]:9000/cb', policy).ok).toBe(false)
  })

  it('allow-lists CIDRs and single addresses', () => {
    const policy = parseCallbackAllowList('127.0.0.0/8, 10.1.2.3, receiver.internal')
    if (typeof policy === 'string') throw new Error(policy)
    expect(checkCallbackUrl('http://127.0.0.1:9000/cb', policy).ok).toBe(true)
    expect(addressAllowed('10.1.2.3', policy)).toBe(true)
    expect(addressAllowed('10.1.2.4', policy)).toBe(false)
    expect(policy.hosts.has('receiver.internal')).toBe(true)
  })

  it('rejects malformed allow-list entries', () => {
    expect(typeof parseCallbackAllowList('10.0.0.0/99')).toBe('string')
    expect(typeof parseCallbackAllowList('a b')).toBe('string')
  })
})
