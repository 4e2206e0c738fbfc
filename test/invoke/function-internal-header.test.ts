/**
 * A function cannot pass its own answer off as the gateway's: `X-OpenFaaS-Internal` from a replica is
 * dropped by the local provider's proxy (a front door would count such an answer against the whole
 * backend and resend the call), while the function's other headers pass.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Forwarder } from '../../providers/local/proxy.ts'

let server: http.Server
let port: number

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(503, { 'X-OpenFaaS-Internal': 'proxy', 'X-Function-Own': 'kept' })
    res.end('No endpoints available for: other.')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

it("drops a function's X-OpenFaaS-Internal and keeps its other headers", async () => {
  const forwarder = new Forwarder()
  const response = await forwarder.forward(port, '/', {
    method: 'GET',
    headers: new Headers(),
    body: null,
    signal: new AbortController().signal,
  })
  expect(response.status).toBe(503)
  expect(response.headers.get('x-openfaas-internal')).toBeNull()
  expect(response.headers.get('x-function-own')).toBe('kept')
  await response.text()
  forwarder.close()
})
