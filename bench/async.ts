/**
 * `npm run bench:async`: throughput of asynchronous invocations per queue driver (embedded, NATS
 * JetStream, SQS emulator), through a real gateway and a no-op http-mode function:
 *   enqueue    — `POST /async-function/noop` answered 202, 16 concurrent callers, worker off
 *   completion — the same calls run by the worker (max in flight 50) until every callback arrived
 * nats-server comes from apt (`apt-get install nats-server`); the SQS emulator is the fauxqs dev dependency.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { startCallbackReceiver } from '../test/harness/callback-receiver.ts'
import { startNats } from '../test/harness/nats.ts'
import { startSqs } from '../test/harness/sqs.ts'
import { freePort, ROOT, runBench, spawnNode, stopChildren, waitHttp } from './lib.ts'

const CALLS = Number(process.env.BENCH_ASYNC_CALLS ?? 5000)
/** Calls sent (and, with the worker on, completed) before measuring: JIT, connection pools, the function up. */
const WARMUP = Number(process.env.BENCH_ASYNC_WARMUP ?? 500)
const CONCURRENCY = 16
/** The worker's in-flight limit, overall and for the one function. */
const MAX_INFLIGHT = Number(process.env.BENCH_ASYNC_INFLIGHT ?? 50)
/** `BENCH_ASYNC_DRIVERS=embedded` (comma-separated: embedded, nats, sqs) measures only those drivers. */
const DRIVERS = new Set(
  (process.env.BENCH_ASYNC_DRIVERS ?? 'embedded,nats,sqs').split(',').map((d) => d.trim()),
)
/** Extra node flags for the gateway, e.g. `BENCH_ASYNC_GATEWAY_FLAGS=--cpu-prof` to profile it. */
const GATEWAY_FLAGS = (process.env.BENCH_ASYNC_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean)
const PASSWORD = 'bench-password'
const AUTH = { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` }

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. On a shared
 * machine this is steadier than throughput: it counts the gateway's own work, not its waits for a core.
 */
function cpuMs(child: ChildProcess): number | null {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return null
  }
}

async function gateway(
  queueUrl: string,
  worker: boolean,
): Promise<{ url: string; dataDir: string; child: ChildProcess }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-async-'))
  const port = await freePort()
  const child = spawnNode(
    'src/runtime/node/main.ts',
    {
      EDGEFAAS_PORT: String(port),
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_LOG_LEVEL: 'warn',
      EDGEFAAS_QUEUE_URL: queueUrl,
      EDGEFAAS_WORKER: String(worker),
      EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
      EDGEFAAS_WORKER_MAX_INFLIGHT: String(MAX_INFLIGHT),
      EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: String(MAX_INFLIGHT),
    },
    GATEWAY_FLAGS,
  )
  const url = `http://127.0.0.1:${port}`
  await waitHttp(`${url}/healthz`)
  const deploy = await fetch(`${url}/system/functions`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({
      service: 'noop',
      image: 'noop',
      envProcess: `${process.execPath} ${join(ROOT, 'test/fixtures/functions/flaky.ts')}`,
      envVars: { mode: 'http' },
    }),
  })
  if (deploy.status !== 202) throw new Error(`deploy failed: ${deploy.status}`)
  await waitHttp(`${url}/function/noop`, { method: 'POST' })
  return { url, dataDir, child }
}

/** Sends `calls` async calls with CONCURRENCY callers; returns calls per second. */
async function enqueue(url: string, callbackUrl: string | null, calls = CALLS): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls) {
        next++
        const res = await fetch(`${url}/async-function/noop`, {
          method: 'POST',
          headers: callbackUrl ? { 'X-Callback-Url': callbackUrl } : {},
          body: 'x',
        })
        if (res.status !== 202) throw new Error(`enqueue answered ${res.status}`)
      }
    }),
  )
  return calls / ((performance.now() - started) / 1000)
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10))
}

/** The gateway's CPU per call between two readings, as text for the table. */
function perCall(before: number | null, after: number | null): string {
  return before === null || after === null ? 'n/a' : ((after - before) / CALLS).toFixed(2)
}

async function measure(label: string, queueUrl: string): Promise<string> {
  const off = await gateway(queueUrl, false)
  await enqueue(off.url, null, WARMUP)
  const offCpu = cpuMs(off.child)
  const enqueueRate = await enqueue(off.url, null)
  const enqueueCpu = perCall(offCpu, cpuMs(off.child))
  stopChildren()
  await rm(off.dataDir, { recursive: true, force: true })

  const receiver = await startCallbackReceiver()
  const on = await gateway(queueUrl, true)
  await enqueue(on.url, receiver.url, WARMUP)
  await until(() => receiver.calls.size >= WARMUP)
  const onCpu = cpuMs(on.child)
  const started = performance.now()
  await enqueue(on.url, receiver.url)
  await until(() => receiver.calls.size >= WARMUP + CALLS)
  const completionRate = CALLS / ((performance.now() - started) / 1000)
  const completionCpu = perCall(onCpu, cpuMs(on.child))
  stopChildren()
  await receiver.close()
  await rm(on.dataDir, { recursive: true, force: true })
  return `| ${label} | ${CALLS} | ${enqueueRate.toFixed(0)} | ${completionRate.toFixed(0)} | ${enqueueCpu} | ${completionCpu} |`
}

async function main(): Promise<void> {
  const rows: string[] = []
  if (DRIVERS.has('embedded')) rows.push(await measure('embedded (SQLite table)', ''))
  if (DRIVERS.has('nats')) {
    const nats = await startNats()
    rows.push(await measure('NATS JetStream 2.9 (file storage)', nats.url))
    await nats.stop()
  }
  if (DRIVERS.has('sqs')) {
    const sqs = await startSqs()
    rows.push(
      await measure(
        'SQS (fauxqs emulator)',
        `sqs://us-east-1/bench-?endpoint=${encodeURIComponent(sqs.endpoint)}`,
      ),
    )
    await sqs.stop()
  }
  console.log(
    `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  )
  console.log(
    `${CONCURRENCY} concurrent callers, ${WARMUP} calls of warm-up first; completion = enqueue + run + callback for every call, worker max in flight ${MAX_INFLIGHT}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end\n`,
  )
  console.log(
    '| driver | calls | enqueue calls/s | completed calls/s | gateway CPU ms per enqueue | gateway CPU ms per completed call |',
  )
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const row of rows) console.log(row)
}

runBench(main)
