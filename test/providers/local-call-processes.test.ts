/**
 * @module
 * A classic-mode call's processes (the forked `fprocess` and whatever it forks) end with the call: when
 * the caller goes away, and when the call runs past its exec timeout, which defaults to the function's
 * timeout. Through a real gateway, with callers on raw sockets and the process table as the witness.
 */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type GatewayApi, gatewayApi } from './gateway-api.ts'
import { bwrapWorks } from './local-helpers.ts'
import { markedSleep, processesMatching } from './process-table.ts'

/** Sends a call to `name` on a raw connection; the caller goes away when the socket is destroyed. */
function openCall(g: TestGateway, name: string): net.Socket {
  const socket = net.connect(g.port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(`GET /function/${name} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
  return socket
}

/** Waits until exactly `count` `sleep <duration>` processes run. */
async function waitForSleeps(duration: string, count: number, timeoutMs = 15_000): Promise<void> {
  const marker = `sleep ${duration}`
  await pollUntil(
    `${count} processes "${marker}" (have ${processesMatching(marker).length})`,
    async () => processesMatching(marker).length === count,
    timeoutMs,
  )
}

const COMMANDS = [
  ['a process', 1, (sleep: string) => `sleep ${sleep}`],
  ['a process that forks', 2, (sleep: string) => shellCommand('forks.sh', sleep)],
] as const

for (const sandbox of ['none', 'bwrap'] as const) {
  describe.skipIf(sandbox === 'bwrap' && !bwrapWorks)(
    `local provider (sandbox ${sandbox}): abandoned calls`,
    () => {
      let g: TestGateway
      let api: GatewayApi
      beforeAll(async () => {
        g = await startTestGateway({ EDGEFAAS_LOCAL_SANDBOX: sandbox })
        api = gatewayApi(g)
      })
      afterAll(() => g.close())

      for (const [label, perCall, command] of COMMANDS) {
        it(`20 abandoned calls to ${label} leave no process behind`, async () => {
          const sleep = markedSleep()
          const name = `abandoned-${perCall}`
          await api.deploy({ service: name, image: 'x', envProcess: command(sleep) })
          await api.waitAvailable(name)
          const sockets = Array.from({ length: 20 }, () => openCall(g, name))
          await waitForSleeps(sleep, 20 * perCall)
          for (const socket of sockets) socket.destroy()
          await waitForSleeps(sleep, 0, 5_000)
        })
      }
    },
  )
}

describe('local provider: exec timeout', () => {
  let g: TestGateway
  let api: GatewayApi
  beforeAll(async () => {
    // No annotation: the function's timeout, and so its exec timeout, is the gateway's upstream timeout.
    g = await startTestGateway({ EDGEFAAS_UPSTREAM_TIMEOUT_MS: '1500' })
    api = gatewayApi(g)
  })
  afterAll(() => g.close())

  for (const [label, annotations, limitMs] of [
    ['its edgefaas.dev/timeout', { 'edgefaas.dev/timeout': '700ms' }, 700],
    ['the default timeout', {}, 1_500],
  ] as const) {
    it(`a call past ${label} is answered 408 and its processes are killed`, async () => {
      const sleep = markedSleep()
      const name = `slow-${limitMs}`
      await api.deploy({
        service: name,
        image: 'x',
        envProcess: shellCommand('forks.sh', sleep),
        annotations,
      })
      await api.waitAvailable(name)
      const started = Date.now()
      const res = await fetch(`${g.url}/function/${name}`, { method: 'POST', body: 'x' })
      const elapsed = Date.now() - started
      // The classic watchdog's answer past exec_timeout.
      expect(res.status).toBe(408)
      expect(await res.text()).toBe('Killed process.\n')
      expect(elapsed).toBeGreaterThanOrEqual(limitMs - 50)
      expect(elapsed).toBeLessThan(limitMs + 3_000)
      await waitForSleeps(sleep, 0, 3_000)
    })
  }
})
