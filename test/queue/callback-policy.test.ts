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
