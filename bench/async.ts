/**
 * `npm run bench:async`: throughput of asynchronous invocations per queue driver (embedded, NATS
 * JetStream, SQS emulator), through a real gateway (`npm start`'s code) and a no-op http-mode function
 * (bench/upstream.ts, the program `npm run bench` uses).
 *
 * The load comes from wrk (C, one thread, 16 keep-alive connections, `POST /async-function/noop` with a
 * 1-byte body) for a fixed time, so the client costs little CPU: the bench measures the gateway and its
 * queue, not a Node HTTP client. Completions are read from the gateway's own store afterwards (each call's
 * row in `calls`: created when the 202 was sent, its final status written by the worker after the
 * function answered and the callback, if any, was delivered), so nothing per call runs in the bench
 * while it measures. Rows per driver:
 *   enqueue    — worker off: 202s per second, and the gateway's CPU per 202
 *   completed  — worker on, no callback: calls accepted during the run ÷ (first submit → last final
 *                status): the rate the gateway sustains submitting and working together, not a drain of a
 *                backlog filled beforehand
 *   + callback — the same with `X-Callback-Url` to a Node receiver in the bench process (its CPU, about
 *                0.1–0.2 ms per call, competes for the same cores; the row shows what callbacks cost)
 * Every completed row checks that each call accepted finished `succeeded` exactly once (the store) and,
 * with callbacks, that each call's callback arrived exactly once.
 *
 * nats-server comes from apt (`apt-get install nats-server`); the SQS emulator is the fauxqs dev dependency.
 * `BENCH_ASYNC_SECONDS` (10), `BENCH_ASYNC_WARMUP_SECONDS` (3), `BENCH_ASYNC_CONNECTIONS` (16),
 * `BENCH_ASYNC_INFLIGHT` (worker in-flight limit, 50), `BENCH_ASYNC_DRIVERS` (embedded,nats,sqs),
 * `BENCH_ASYNC_CALLBACKS=false` (skip the callback rows), `BENCH_ASYNC_GATEWAY_ENV` (extra gateway
 * environment, `K=V,K=V`), `BENCH_ASYNC_GATEWAY_FLAGS` (node flags, e.g. `--cpu-prof`) and
 * `BENCH_ASYNC_ROOT` (another checkout's gateway, for A/B runs) change it.
 */
import { type ChildProcess, execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { type CallbackReceiver, startCallbackReceiver } from '../test/harness/callback-receiver.ts'
import { startNats } from '../test/harness/nats.ts'
import { startSqs } from '../test/harness/sqs.ts'
import { deployBenchFunction, freePort, ROOT, runBench, spawnNode, stopChildren, waitHttp } from './lib.ts'

const SECONDS = Number(process.env.BENCH_ASYNC_SECONDS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_ASYNC_WARMUP_SECONDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_ASYNC_CONNECTIONS ?? 16)
/** The worker's in-flight limit, overall and for the one function. */
const MAX_INFLIGHT = Number(process.env.BENCH_ASYNC_INFLIGHT ?? 50)
/** `BENCH_ASYNC_DRIVERS=embedded` (comma-separated: embedded, nats, sqs) measures only those drivers. */
const DRIVERS = new Set(
  (process.env.BENCH_ASYNC_DRIVERS ?? 'embedded,nats,sqs').split(',').map((d) => d.trim()),
)
const CALLBACKS = process.env.BENCH_ASYNC_CALLBACKS !== 'false'
/**
 * Drivers that get a row with the API and the worker in two processes (`EDGEFAAS_ROLES`); default the
 * embedded queue only, `BENCH_ASYNC_SPLIT=none` for none.
 */
const SPLIT = new Set((process.env.BENCH_ASYNC_SPLIT ?? 'embedded').split(',').map((d) => d.trim()))
/** Extra node flags for the gateway, e.g. `BENCH_ASYNC_GATEWAY_FLAGS=--cpu-prof` to profile it. */
const GATEWAY_FLAGS = (process.env.BENCH_ASYNC_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean)
/** Extra gateway environment, `K=V,K=V` (e.g. to compare a setting). */
const GATEWAY_ENV = Object.fromEntries(
  (process.env.BENCH_ASYNC_GATEWAY_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
)
/** The checkout whose gateway runs, for A/B runs with this bench (`BENCH_ASYNC_ROOT=/work/main`). */
const GATEWAY_ROOT = process.env.BENCH_ASYNC_ROOT ?? ROOT
const PASSWORD = 'bench-password'
const AUTH = { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` }
/** How long the worker may take to finish the backlog after wrk stops before the row counts as failed. */
const DRAIN_DEADLINE_MS = 300_000

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return null
  }
}

/** Busy CPU time (ms) of the whole machine, all cores, from /proc/stat: the bench's own processes included. */
function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number)
    return (
      (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / 100
    )
  } catch {
    return null
  }
}

interface Gateway {
  url: string
  dataDir: string
  child: ChildProcess
  /** The function process the gateway started (its CPU is part of every completed call). */
  functionPid(): number | undefined
}

async function gateway(
  queueUrl: string,
  worker: boolean,
  roles?: { roles: string; dataDir: string },
): Promise<Gateway> {
  const dataDir = roles?.dataDir || (await mkdtemp(join(tmpdir(), 'edgefaas-bench-async-')))
  const port = await freePort()
  const child = spawnNode(
    join(GATEWAY_ROOT, 'src/runtime/node/main.ts'),
    {
      EDGEFAAS_PORT: String(port),
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_LOG_LEVEL: 'warn',
      EDGEFAAS_PROCESSES: '1',
      EDGEFAAS_QUEUE_URL: queueUrl,
      EDGEFAAS_WORKER: String(worker),
      EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
      EDGEFAAS_WORKER_MAX_INFLIGHT: String(MAX_INFLIGHT),
      EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: String(MAX_INFLIGHT),
      ...(roles ? { EDGEFAAS_ROLES: roles.roles } : {}),
      ...GATEWAY_ENV,
    },
    GATEWAY_FLAGS,
  )
  const url = `http://127.0.0.1:${port}`
  if (roles?.roles === 'worker') return { url, dataDir, child, functionPid: () => childPid(child.pid) }
  await waitHttp(`${url}/healthz`)
  await deployBenchFunction(url, PASSWORD, { service: 'noop' })
  return { url, dataDir, child, functionPid: () => childPid(child.pid) }
}

/** The first child process of `pid` (the gateway's one function), from /proc. */
function childPid(pid: number | undefined): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)
    return children[0] ? Number(children[0]) : undefined
  } catch {
    return undefined
  }
}

interface WrkRun {
  /** 2xx answers (202 Accepted). */
  accepted: number
  errors: number
  seconds: number
}

/** wrk for `seconds` against `POST /async-function/noop`, with a callback header when given. */
async function submit(url: string, callbackUrl: string | null, seconds: number): Promise<WrkRun> {
  const script = join(tmpdir(), `edgefaas-bench-async-${process.pid}.lua`)
  await writeFile(
    script,
    [
      'wrk.method = "POST"',
      'wrk.body = "x"',
      'wrk.headers["Content-Type"] = "text/plain"',
      callbackUrl ? `wrk.headers["X-Callback-Url"] = "${callbackUrl}"` : '',
    ].join('\n'),
  )
  const started = performance.now()
  const out = await run('wrk', [
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '-s',
    script,
    `${url}/async-function/noop`,
  ])
  const elapsed = (performance.now() - started) / 1000
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0
  return { accepted: total - non2xx, errors: non2xx + socketErrors, seconds: elapsed }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

/** The gateway's store, read-only from the bench: the calls it accepted and how they ended. */
function openCalls(dataDir: string) {
  const db = new DatabaseSync(join(dataDir, 'edgefaas.db'), { readOnly: true })
  db.exec('PRAGMA busy_timeout = 5000')
  const unfinished = db.prepare("SELECT count(*) AS n FROM calls WHERE status IN ('queued', 'running')")
  const since = db.prepare(
    `SELECT count(*) AS n, sum(status = 'succeeded') AS ok, sum(attempts > 1) AS redelivered,
            max(updated_at) AS last FROM calls WHERE created_at >= ?`,
  )
  return {
    unfinished: () => Number((unfinished.get() as { n: number }).n),
    since(from: number) {
      const row = since.get(from) as {
        n: number
        ok: number | null
        redelivered: number | null
        last: number | null
      }
      return {
        accepted: row.n,
        succeeded: row.ok ?? 0,
        redelivered: row.redelivered ?? 0,
        last: row.last ?? from,
      }
    },
    close: () => db.close(),
  }
}

async function drained(calls: ReturnType<typeof openCalls>): Promise<void> {
  const deadline = Date.now() + DRAIN_DEADLINE_MS
  while (calls.unfinished() > 0) {
    if (Date.now() > deadline) throw new Error(`calls still unfinished ${DRAIN_DEADLINE_MS} ms after the run`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** `queue_worker_messages_processed_total`, summed over queues and outcomes. */
async function processedTotal(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: AUTH })).text()
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('queue_worker_messages_processed_total')) sum += Number(line.split(' ').pop())
  }
  return sum
}

const perCall = (before: number | null, after: number | null, calls: number): string =>
  before === null || after === null || calls === 0 ? 'n/a' : ((after - before) / calls).toFixed(2)

async function measureEnqueue(queueUrl: string): Promise<string> {
  const off = await gateway(queueUrl, false)
  await submit(off.url, null, WARMUP_SECONDS)
  const cpu = cpuMs(off.child.pid)
  const r = await submit(off.url, null, SECONDS)
  const cpuPerCall = perCall(cpu, cpuMs(off.child.pid), r.accepted)
  stopChildren()
  await rm(off.dataDir, { recursive: true, force: true })
  const errors = r.errors > 0 ? ` (${r.errors} errors)` : ''
  return `| ${(r.accepted / r.seconds).toFixed(0)}${errors} | ${cpuPerCall} |`
}

interface Completion {
  rate: number
  accepted: number
  gatewayCpu: string
  functionCpu: string
  machineCpu: string
  check: string
}

/**
 * `split`: the API and the worker in two processes on the same SQLite file (`EDGEFAAS_ROLES=api` and
 * `EDGEFAAS_ROLES=worker`); the gateway CPU is then both processes', and the function is the worker's.
 */
async function measureCompletion(
  queueUrl: string,
  receiver: CallbackReceiver | null,
  split: boolean,
): Promise<Completion> {
  const on = split
    ? await gateway(queueUrl, false, { roles: 'api', dataDir: '' })
    : await gateway(queueUrl, true)
  const worker = split ? await gateway(queueUrl, true, { roles: 'worker', dataDir: on.dataDir }) : on
  const calls = openCalls(on.dataDir)
  // A worker-only process has no HTTP listener to read its metrics from.
  const processedTotalOf = async () => (split ? 0 : await processedTotal(on.url))
  const gatewayCpuMs = () => {
    const api = cpuMs(on.child.pid)
    const work = split ? cpuMs(worker.child.pid) : 0
    return api === null || work === null ? null : api + work
  }
  try {
    await submit(on.url, receiver?.url ?? null, WARMUP_SECONDS)
    await drained(calls)
    const processedBefore = await processedTotalOf()
    const callbacksBefore = receiver?.calls.size ?? 0
    const fnPid = worker.functionPid()
    const cpu = [gatewayCpuMs(), cpuMs(fnPid), machineBusyMs()]
    // created_at has millisecond resolution: start on a fresh millisecond so no warm-up call counts.
    const from = Date.now() + 1
    while (Date.now() < from) await new Promise((resolve) => setTimeout(resolve, 1))
    const wrk = await submit(on.url, receiver?.url ?? null, SECONDS)
    await drained(calls)
    const after = [gatewayCpuMs(), cpuMs(fnPid), machineBusyMs()]
    const done = calls.since(from)
    const processed = (await processedTotalOf()) - processedBefore
    const seconds = (done.last - from) / 1000
    const problems: string[] = []
    if (wrk.errors > 0) problems.push(`${wrk.errors} submit errors`)
    if (done.succeeded !== done.accepted) problems.push(`${done.accepted - done.succeeded} not succeeded`)
    if (!split && processed !== done.accepted)
      problems.push(`worker counted ${processed} for ${done.accepted} calls`)
    if (done.redelivered > 0) problems.push(`${done.redelivered} redelivered`)
    if (receiver) {
      const got = receiver.calls.size - callbacksBefore
      const doubled = [...receiver.calls.values()].filter((c) => c.length > 1).length
      if (got !== done.accepted) problems.push(`${got} callbacks for ${done.accepted} calls`)
      if (doubled > 0) problems.push(`${doubled} callbacks doubled`)
    }
    return {
      rate: done.accepted / seconds,
      accepted: done.accepted,
      gatewayCpu: perCall(cpu[0] ?? null, after[0] ?? null, done.accepted),
      functionCpu: perCall(cpu[1] ?? null, after[1] ?? null, done.accepted),
      machineCpu: perCall(cpu[2] ?? null, after[2] ?? null, done.accepted),
      check: problems.length === 0 ? 'ok' : problems.join('; '),
    }
  } finally {
    calls.close()
    stopChildren()
    await rm(on.dataDir, { recursive: true, force: true })
  }
}

const completionCells = (c: Completion): string =>
  `${c.accepted} | ${c.rate.toFixed(0)} | ${c.gatewayCpu} | ${c.functionCpu} | ${c.machineCpu} | ${c.check}`

async function measure(driver: string, label: string, queueUrl: string): Promise<string[]> {
  const enqueue = await measureEnqueue(queueUrl)
  const one = '1'
  const rows = [
    `| ${label} | ${one} | no | ${completionCells(await measureCompletion(queueUrl, null, false))} ${enqueue}`,
  ]
  if (CALLBACKS) {
    const receiver = await startCallbackReceiver()
    try {
      rows.push(
        `| ${label} | ${one} | yes | ${completionCells(await measureCompletion(queueUrl, receiver, false))} | | |`,
      )
    } finally {
      await receiver.close()
    }
  }
  if (SPLIT.has(driver)) {
    rows.push(
      `| ${label} | 2 (api + worker) | no | ${completionCells(await measureCompletion(queueUrl, null, true))} | | |`,
    )
  }
  return rows
}

async function main(): Promise<void> {
  await run('wrk', ['--version']).catch((error: NodeJS.ErrnoException) => {
    // wrk --version exits 1 after printing; only a missing binary is fatal.
    if (error.code === 'ENOENT') throw new Error('wrk is not installed: apt-get install wrk')
  })
  const loadBefore = loadavg()
  const rows: string[] = []
  if (DRIVERS.has('embedded')) rows.push(...(await measure('embedded', 'embedded (SQLite table)', '')))
  if (DRIVERS.has('nats')) {
    const nats = await startNats()
    try {
      rows.push(...(await measure('nats', 'NATS JetStream (file storage)', nats.url)))
    } finally {
      await nats.stop()
    }
  }
  if (DRIVERS.has('sqs')) {
    const sqs = await startSqs()
    try {
      rows.push(
        ...(await measure(
          'sqs',
          'SQS (fauxqs emulator)',
          `sqs://us-east-1/bench-?endpoint=${encodeURIComponent(sqs.endpoint)}`,
        )),
      )
    } finally {
      await sqs.stop()
    }
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ')
  console.log(
    `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  )
  console.log(
    `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s of POST /async-function/noop after ${WARMUP_SECONDS} s of warm-up (drained); worker max in flight ${MAX_INFLIGHT}; completed = calls accepted during the run ÷ (first submit → last final status), from the gateway's store; CPU = user + system from /proc per completed call (machine = all processes on all cores, other sessions included); load average ${load(loadBefore)} before, ${load(loadavg())} at the end\n`,
  )
  console.log(
    '| driver | gateway processes | callback | calls | completed calls/s | gateway CPU ms / call | function CPU ms / call | machine CPU ms / call | check | enqueue-only calls/s (worker off) | gateway CPU ms / enqueue |',
  )
  console.log('|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|')
  for (const row of rows) console.log(row)
}

runBench(main)
