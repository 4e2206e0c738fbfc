/**
 * Draining (docs/scaling.md): on SIGTERM a gateway answers `/readyz` 503 `not ready: draining` at once,
 * keeps serving for EDGEFAAS_DRAIN_DELAY_MS so a load balancer can stop sending it work, then exits 0 —
 * on Node and on Deno. And Deno honours EDGEFAAS_ROLES as Node does: without `api`, no listener.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { startDenoGatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'

it.each([
  ['Node', startGatewayProcess],
  ['Deno', startDenoGatewayProcess],
])(
  '%s, SIGTERM: /readyz turns 503 draining while the gateway still serves, then it exits cleanly',
  async (_, start) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-drain-'))
    const gateway = await start({
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: 'drain-test-password',
      EDGEFAAS_DRAIN_DELAY_MS: '4000',
    })
    try {
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200)
      const exited = new Promise<number | null>((resolve) =>
        gateway.child.once('exit', (code) => resolve(code)),
      )
      const signalled = Date.now()
      gateway.child.kill('SIGTERM')
      await pollUntil(
        '/readyz to say draining',
        async () => {
          const response = await fetch(`${gateway.url}/readyz`)
          return response.status === 503 && (await response.text()) === 'not ready: draining\n'
        },
        10_000,
        50,
      )
      // Still serving during the delay: liveness and the API answer.
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200)
      expect(await exited).toBe(0)
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(4000)
    } finally {
      await gateway.stop('SIGKILL')
      await rm(dataDir, { recursive: true, force: true })
    }
  },
  90_000,
)

it('Deno with EDGEFAAS_ROLES=worker runs the async worker and binds no port', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-roles-'))
  const gateway = await startDenoGatewayProcess(
    { EDGEFAAS_DATA_DIR: dataDir, EDGEFAAS_ADMIN_PASSWORD: 'roles-test-password', EDGEFAAS_ROLES: 'worker' },
    'worker',
  )
  try {
    expect(gateway.output()).toMatch(/worker running \(queue: embedded\)/)
    expect(gateway.output()).not.toMatch(/listening on/)
    expect(await gateway.stop('SIGTERM')).toBe(0)
  } finally {
    await gateway.stop('SIGKILL')
    await rm(dataDir, { recursive: true, force: true })
  }
}, 90_000)
