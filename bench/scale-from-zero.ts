/**
 * `node bench/scale-from-zero.ts` (part of `npm run bench:routes`): time to the first byte of a call to
 * a local http-mode function scaled to zero, through a real gateway (`npm start`'s code): the call is
 * held, the function is scaled to 1 and started, its readiness probe passes, and the call is served.
 * Repeats ROUNDS times (scale to 0, wait until no replica runs, call) and prints each and the median.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pollUntil } from '../test/harness/poll.ts'
import { deployBenchFunction, freePort, median, runBench, spawnNode, waitHttp } from './lib.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const PASSWORD = 'bench-password'
const AUTH = { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` }

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-sfz-'))
  const port = await freePort()
  spawnNode('src/runtime/node/main.ts', {
    EDGEFAAS_PORT: String(port),
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
    EDGEFAAS_LOCAL_SANDBOX: 'none',
    EDGEFAAS_LOG_LEVEL: 'warn',
  })
  const url = `http://127.0.0.1:${port}`
  await waitHttp(`${url}/healthz`)
  const json = { ...AUTH, 'content-type': 'application/json' }
  await deployBenchFunction(url, PASSWORD, { service: 'sfz', labels: { 'com.openfaas.scale.zero': 'true' } })
  const times: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const scale = await fetch(`${url}/system/scale-function/sfz`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ serviceName: 'sfz', replicas: 0 }),
    })
    if (scale.status >= 300) throw new Error(`scale failed: ${scale.status} ${await scale.text()}`)
    await pollUntil('sfz to have no replica', async () => {
      const res = await fetch(`${url}/system/function/sfz`, { headers: AUTH })
      const body = (await res.json()) as { availableReplicas?: number; replicas?: number }
      return (body.availableReplicas ?? 0) === 0
    })
    const started = performance.now()
    const res = await fetch(`${url}/function/sfz`, { method: 'POST', body: 'hello' })
    const reader = res.body?.getReader()
    await reader?.read()
    const ms = performance.now() - started
    await reader?.cancel()
    if (res.status !== 200) throw new Error(`call at zero answered ${res.status}`)
    times.push(ms)
    console.log(`round ${round + 1}: first byte after ${ms.toFixed(0)} ms`)
  }
  console.log(`scale from zero, first byte: median ${median(times).toFixed(0)} ms`)
  await rm(dataDir, { recursive: true, force: true })
}

runBench(main)
