/**
 * SIGKILL of the gateway (worker included) in the middle of a batch of async calls loses no call: after
 * a restart on the same data every call completes. Calls that were running when the process died may be
 * delivered twice (at least once); the test counts them and bounds them by the in-flight limit.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startCallbackReceiver } from '../harness/callback-receiver.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'

const CALLS = 300
const MAX_INFLIGHT = 20

export function runCrashScenario(
  label: string,
  queueEnv: () => Promise<{ env: Record<string, string>; stop(): Promise<void> }>,
): void {
  it(`${label}: SIGKILL mid-batch loses no call; duplicates only for calls in flight`, async () => {
    const queue = await queueEnv()
    const receiver = await startCallbackReceiver()
    const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-crash-'))
    const env = {
      ...queue.env,
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: 'crash-test-password',
      EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
      EDGEFAAS_QUEUE_LEASE_MS: '2000',
      EDGEFAAS_WORKER_MAX_INFLIGHT: String(MAX_INFLIGHT),
      EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
    }
    const auth = { authorization: `Basic ${btoa('admin:crash-test-password')}` }
    let gateway: GatewayProcess | undefined
    try {
      gateway = await startGatewayProcess(env)
      const url = gateway.url
      const deploy = await fetch(`${url}/system/functions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'slowish',
          image: 'x',
          envProcess: nodeCommand('flaky.ts'),
          envVars: { mode: 'http', DELAY_MS: '100' },
        }),
      })
      expect(deploy.status).toBe(202)
      const ids: string[] = []
      for (let start = 0; start < CALLS; start += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const res = await fetch(`${url}/async-function/slowish`, {
              method: 'POST',
              headers: { 'X-Callback-Url': receiver.url },
              body: `n${start + i}`,
            })
            expect(res.status).toBe(202)
            return res.headers.get('x-call-id') ?? ''
          }),
        )
        ids.push(...batch)
      }
      await pollUntil('a first part of the batch', async () => receiver.calls.size >= 60, 60_000, 10)
      expect(await gateway.stop('SIGKILL')).toBeNull()
      const beforeKill = receiver.calls.size
      expect(beforeKill).toBeLessThan(CALLS)

      gateway = await startGatewayProcess(env)
      await pollUntil(
        'every call after the restart',
        async () => ids.every((id) => receiver.calls.has(id)),
        90_000,
        100,
      )
      const duplicates = [...receiver.calls.values()].reduce((n, list) => n + list.length - 1, 0)
      console.log(
        `${label}: ${beforeKill} callbacks before SIGKILL, ${CALLS} after restart, ${duplicates} duplicate(s)`,
      )
      expect(duplicates).toBeLessThanOrEqual(MAX_INFLIGHT)
    } finally {
      await gateway?.stop('SIGTERM')
      await receiver.close()
      await queue.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }, 180_000)
}
