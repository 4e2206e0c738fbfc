/**
 * serve.ts `beforeEachRequest`: a hook run before a server's request listener, inside that one listener
 * (a second `request` listener makes node:events copy the listener list on every request).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { beforeEachRequest } from '../../src/runtime/node/serve.ts'

const servers: Array<ReturnType<typeof createServer>> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

describe('beforeEachRequest', () => {
  it('runs each hook before the listener, the last added first as prependListener would, with one request listener left', async () => {
    const seen: string[] = []
    const server = createServer((_req, res) => {
      seen.push('listener')
      res.end('ok')
    })
    servers.push(server)
    beforeEachRequest(server, () => seen.push('drain'))
    beforeEachRequest(server, () => seen.push('count'))
    expect(server.listenerCount('request')).toBe(1)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const answer = await fetch(`http://127.0.0.1:${port}/`)
    expect(await answer.text()).toBe('ok')
    expect(seen).toEqual(['count', 'drain', 'listener'])
  })

  it('prepends the hook to a server with several request listeners', () => {
    const server = createServer()
    server.on('request', () => {})
    server.on('request', () => {})
    const seen: unknown[] = []
    beforeEachRequest(server, (res) => seen.push(res))
    expect(server.listenerCount('request')).toBe(3)
    const res = { shouldKeepAlive: true }
    ;(server.listeners('request')[0] as (req: unknown, res: unknown) => void)({}, res)
    expect(seen).toEqual([res])
  })
})
