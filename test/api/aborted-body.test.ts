/**
 * A client that goes away in the middle of its request body is the client's doing: the gateway logs it
 * at debug, never as an error, and keeps serving. Raw sockets send the headers and half the body, then
 * close, on every kind of route that reads a body.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import type { Logger } from '../../src/logger.ts'
import { type RunningGateway, startGateway } from '../../src/runtime/node/gateway.ts'
import { pollUntil } from '../harness/poll.ts'

interface Entry {
  level: string
  message: string
  fields: Record<string, unknown> | undefined
}

describe('a request body aborted by the client', () => {
  const logged: Entry[] = []
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logged.push({ level, message, fields })
  const logger: Logger = {
    debug: capture('debug'),
    info: capture('info'),
    warn: capture('warn'),
    error: capture('error'),
  }
  let gateway: RunningGateway
  let dataDir: string
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-abort-'))
    const config = loadConfig({
      EDGEFAAS_PORT: '0',
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_BASIC_AUTH: 'false',
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_WORKER: 'false',
    })
    gateway = await startGateway(config, logger)
    const res = await fetch(`${gateway.url}/system/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'sink', image: 'x', envProcess: 'cat' }),
    })
    expect(res.status).toBe(202)
  })
  afterAll(async () => {
    await gateway.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it.each(['/system/functions', '/async-function/sink', '/system/secrets'])(
    'POST %s is logged at debug, not as an error',
    async (path) => {
      const socket = connect(gateway.port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`
      // Once written, the bytes wait in the gateway's socket buffer: it parses the head and the partial
      // body before it sees the connection end, so the close always lands mid-body.
      await new Promise<void>((resolve) => socket.write(`${head}{"service":`, () => resolve()))
      socket.destroy()

      await pollUntil(`a log entry for ${path}`, async () => logged.some((e) => e.fields?.path === path))
      const entries = logged.filter((e) => e.fields?.path === path)
      expect(entries.map((e) => e.level)).toEqual(['debug'])
      expect(String(entries[0]?.fields?.reason)).toMatch(/client closed the connection/)
      expect(logged.filter((e) => e.level === 'error')).toEqual([])
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200)
    },
  )
})
