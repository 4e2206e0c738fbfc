/**
 * `edgefaas worker` apart from the API: a gateway with EDGEFAAS_WORKER=false only accepts calls; a
 * worker process on the same data (embedded SQLite queue) runs them and posts the callbacks.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startCallbackReceiver } from '../harness/callback-receiver.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'

it('a separate `edgefaas worker` process completes calls the API accepted', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-cli-worker-'))
  const receiver = await startCallbackReceiver()
  const env = {
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: 'cli-worker-password',
    EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
  }
  const auth = { authorization: `Basic ${btoa('admin:cli-worker-password')}` }
  const processes: GatewayProcess[] = []
  try {
    const api = await startGatewayProcess({ ...env, EDGEFAAS_WORKER: 'false' })
    processes.push(api)
    const deploy = await fetch(`${api.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'echo',
        image: 'x',
        envProcess: nodeCommand('flaky.ts'),
        envVars: { mode: 'http' },
      }),
    })
    expect(deploy.status).toBe(202)
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${api.url}/async-function/echo`, {
        method: 'POST',
        headers: { 'X-Callback-Url': receiver.url },
        body: `m${i}`,
      })
      expect(res.status).toBe(202)
      ids.push(res.headers.get('x-call-id') ?? '')
    }
    const status = async () =>
      (
        (await (await fetch(`${api.url}/system/calls/${ids[0]}`, { headers: auth })).json()) as {
          status: string
        }
      ).status
    expect(await status()).toBe('queued')

    processes.push(await startGatewayProcess(env, 'worker'))
    await pollUntil('every callback', async () => ids.every((id) => receiver.calls.has(id)), 60_000, 50)
    expect(await status()).toBe('succeeded')
  } finally {
    for (const p of processes.reverse()) await p.stop()
    await receiver.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}, 120_000)
