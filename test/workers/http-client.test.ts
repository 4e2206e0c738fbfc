// What workerd's fetch does with encoded bodies and redirects, measured against a Node server, and
// that the workerd HttpClient (src/runtime/workers/http-client.ts) passes both on untouched.
import { describe, expect, inject, it } from 'vitest'
import { createFetchHttpClient } from '../../src/runtime/workers/http-client.ts'
import type {} from '../harness/provided-context.ts'

const bytes = async (response: Response) => new Uint8Array(await response.arrayBuffer())
const isGzip = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b

describe('fetch in workerd', () => {
  it('decodes a gzip body when JavaScript reads it, keeping the Content-Encoding header', async () => {
    const { raw } = inject('workerdBackends')
    const response = await fetch(`${raw}/gzip`)
    expect(response.headers.get('content-encoding')).toBe('gzip')
    const body = await bytes(response)
    expect(isGzip(body)).toBe(false)
    expect(new TextDecoder().decode(body)).toBe('hello from gzip')
  })

  it('the HttpClient hands over the gzip bytes as sent, and a redirect unfollowed', async () => {
    const { raw } = inject('workerdBackends')
    const client = createFetchHttpClient()
    const response = await client(`${raw}/gzip`, { method: 'GET', headers: new Headers(), body: null })
    expect(response.headers.get('content-encoding')).toBe('gzip')
    expect(isGzip(await bytes(response))).toBe(true)
    const moved = await client(`${raw}/redirect`, { method: 'GET', headers: new Headers(), body: null })
    expect(moved.status).toBe(302)
    expect(moved.headers.get('location')).toBe('/elsewhere')
  })
})
