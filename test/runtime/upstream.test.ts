/**
 * @module
 * The Node runtime's upstream clients against the UpstreamClient contract (test/conformance/upstream.suite.ts):
 * the wire client (node:net, its own parser), the undici Agent, and the composition `createUpstreamClient`
 * gives the runtime — which sends `http:` whole-body requests over the wire and the rest via undici.
 */
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createUndiciUpstream } from '../../src/runtime/node/undici-upstream.ts'
import { createUpstreamClient, type UpstreamClient } from '../../src/runtime/node/upstream.ts'
import { createWireClient } from '../../src/runtime/node/wire/client/wire-client.ts'
import { readBody, runUpstreamSuite } from '../conformance/upstream.suite.ts'
import { createTestCa } from '../harness/certs.ts'
import { answerWith, type ScriptedUpstream, scriptedUpstream } from '../harness/scripted-upstream.ts'

runUpstreamSuite('wire client', (options) => createWireClient(options))
runUpstreamSuite('undici', (options) => createUndiciUpstream(options))
runUpstreamSuite('composed (the runtime default)', (options) => createUpstreamClient(options))

describe('createUpstreamClient: which client carries a call', () => {
  let server: ScriptedUpstream | undefined
  let client: UpstreamClient | undefined
  afterEach(async () => {
    await client?.close()
    await server?.close()
    client = undefined
    server = undefined
  })

  /** The request head as received: undici writes `connection: keep-alive` first; the wire client too. */
  async function sentHead(send: (origin: string) => Promise<unknown>): Promise<string> {
    server = await scriptedUpstream((request) => request.socket.write(answerWith(200, 'ok')))
    await send(server.origin)
    return server.requests[0]!.head
  }

  it('a streamed body goes via undici (chunked), a whole one over the wire (one content-length)', async () => {
    client = createUpstreamClient()
    const made = client
    const streamed = await sentHead(async (origin) =>
      readBody(
        await made.send({
          origin,
          path: '/',
          method: 'POST',
          headers: [],
          body: Readable.from([Buffer.from('a')]),
        }),
      ),
    )
    expect(streamed).toMatch(/transfer-encoding: chunked/i)
    await server?.close()
    const whole = await sentHead(async (origin) =>
      readBody(await made.send({ origin, path: '/', method: 'POST', headers: [], body: Buffer.from('a') })),
    )
    expect(whole).toMatch(/content-length: 1/)
  })

  it('wire: false sends everything via undici (a 100 Continue is then refused, as undici does)', async () => {
    server = await scriptedUpstream((request) =>
      request.socket.write(`HTTP/1.1 100 Continue\r\n\r\n${answerWith(200, 'ok')}`),
    )
    const origin = server.origin
    const viaUndici = createUpstreamClient({ wire: false })
    const viaWire = createUpstreamClient()
    try {
      await expect(
        viaUndici.send({ origin, path: '/', method: 'GET', headers: [], body: null }),
      ).rejects.toThrow()
      const head = await viaWire.send({ origin, path: '/', method: 'GET', headers: [], body: null })
      expect(await readBody(head)).toBe('ok')
    } finally {
      await viaUndici.close()
      await viaWire.close()
    }
  })

  it('an https: origin goes via undici, with the extra CA trusted', async () => {
    const ca = await createTestCa()
    const leaf = await ca.issue(['localhost'])
    const server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) =>
      res.end('secure'),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const made = createUpstreamClient({ ca: ca.certPem })
    try {
      const origin = `https://localhost:${(server.address() as AddressInfo).port}`
      const head = await made.send({ origin, path: '/', method: 'POST', headers: [], body: Buffer.from('x') })
      expect([head.status, await readBody(head)]).toEqual([200, 'secure'])
    } finally {
      await made.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await ca.remove()
    }
  })
})
