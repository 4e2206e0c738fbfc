/**
 * vitest globalSetup of the workerd project: starts, in Node, the servers workerd tests reach over the
 * network (a Worker cannot listen on a socket or spawn processes), and hands their URLs to the tests
 * with `project.provide` (read there with `inject`). @cloudflare/vitest-plugin 1.5 passes vitest's
 * provided context on to the tests it runs in workerd, and workerd's fetch reaches loopback.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import type { TestProject } from 'vitest/node'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startCallbackReceiver } from './callback-receiver.ts'
import { startTestGateway } from './node-gateway.ts'
import './provided-context.ts'

export const GZIPPED = gzipSync('hello from gzip')

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const gateway = await startTestGateway()
  const raw = createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/elsewhere' })
      res.end()
      return
    }
    res.writeHead(200, {
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
      'content-length': GZIPPED.length,
    })
    res.end(GZIPPED)
  })
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
  const receiver = await startCallbackReceiver()
  const inspect = createServer((req, res) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? ''
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(receiver.calls.get(id) ?? []))
  })
  await new Promise<void>((resolve) => inspect.listen(0, '127.0.0.1', resolve))
  project.provide('workerdBackends', {
    edgefaas: { url: gateway.url, user: gateway.user, password: gateway.password },
    raw: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`,
    callbacks: {
      url: receiver.url,
      received: `http://127.0.0.1:${(inspect.address() as AddressInfo).port}/received`,
    },
    commands: { flaky: nodeCommand('flaky.ts') },
  })
  return async () => {
    inspect.closeAllConnections()
    await new Promise((resolve) => inspect.close(resolve))
    await receiver.close()
    raw.closeAllConnections()
    await new Promise((resolve) => raw.close(resolve))
    await gateway.close()
  }
}
