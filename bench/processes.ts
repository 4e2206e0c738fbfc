/**
 * `npm run bench:processes`: one gateway process against N (EDGEFAAS_PROCESSES), side by side in one run.
 *
 * Starts the trivial upstream (bench/upstream.ts) and two real gateways (`npm start`'s code, embedded
 * SQLite, local provider), one with EDGEFAAS_PROCESSES=1 and one with N (BENCH_PROCESSES, default the
 * cores, at least 2), each with the upstream program as an http-mode function. Then, in alternating
 * rounds (BENCH_ROUNDS, default 3) so both see the same machine: wrk POST of 5 bytes at 1 and 16
 * keep-alive connections to direct, one process and N processes. Prints each round's req/s, the ratios
 * to direct, the N/1 ratio and the added p50, and the load average around the run; then, over all rounds
 * at 16 connections, the CPU each gateway spent per call (user+system from /proc, the primary and its
 * worker processes summed, the function's replica not counted), which the machine's load does not skew
 * the way it skews req/s. The undici reference proxy (bench/undici-proxy.ts) runs beside them as one
 * process and as N copies on one port (`SO_REUSEPORT`, as the gateway's workers bind), with its CPU per
 * call summed the same way: whether a second process of a proxy that does nothing else pays on this
 * machine, the ceiling for what a second gateway process can. `BENCH_COMPARE=/path/to/other/checkout` adds that checkout's N-process gateway
 * to every round (A/B of a change to the cluster code).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { deployBenchFunction, freePort, ROOT, runBench, spawnNode, waitHttp } from './lib.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? Math.max(2, availableParallelism()))
const password = 'bench-password'
const auth = { authorization: `Basic ${btoa(`admin:${password}`)}`, 'content-type': 'application/json' }

interface WrkResult {
  rps: number
  p50ms: number
  calls: number
}

interface Gateway {
  url: string
  pid: number
}

async function gateway(processes: number, dirs: string[], root = ROOT): Promise<Gateway> {
  const dataDir = await mkdtemp(join(tmpdir(), `edgefaas-bench-p${processes}-`))
  dirs.push(dataDir)
  const port = await freePort()
  const child = spawnNode(join(root, 'src/runtime/node/main.ts'), {
    EDGEFAAS_PORT: String(port),
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: password,
    EDGEFAAS_LOCAL_SANDBOX: 'none',
    EDGEFAAS_LOG_LEVEL: 'warn',
    EDGEFAAS_PROCESSES: String(processes),
  })
  const url = `http://127.0.0.1:${port}`
  await waitHttp(`${url}/healthz`)
  await deployBenchFunction(url, password)
  // The primary answers before its workers listen (they start once it does): wait for the last one's
  // series in /metrics, or the first cells would measure one process.
  const last = `edgefaas_process_requests_total{process="${processes - 1}"}`
  const deadline = Date.now() + 120_000
  while (processes > 1) {
    const text = await (await fetch(`${url}/metrics`, { headers: auth })).text()
    if (text.includes(last)) break
    if (Date.now() > deadline) throw new Error(`the ${processes} processes did not all start`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, pid: child.pid ?? 0 }
}

/** CPU clock ticks (user+system) of the gateway: the primary and its worker processes, not its replicas. */
async function gatewayTicks(primary: number): Promise<{ primary: number; workers: number }> {
  const ticks = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (!stat) return 0
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  }
  let workers = 0
  for (const task of await readdir(`/proc/${primary}/task`).catch(() => [] as string[])) {
    const children = await readFile(`/proc/${primary}/task/${task}/children`, 'utf8').catch(() => '')
    for (const pid of children.split(' ').filter(Boolean).map(Number)) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      if (cmdline.includes('worker-main.ts')) workers += await ticks(pid)
    }
  }
  return { primary: await ticks(primary), workers }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times. */
const TICKS_PER_S = 100

async function main(): Promise<void> {
  const dirs: string[] = []
  const upstreamPort = await freePort()
  spawnNode('bench/upstream.ts', { PORT: String(upstreamPort) })
  await waitHttp(`http://127.0.0.1:${upstreamPort}/`)
  const one = await gateway(1, dirs)
  const many = await gateway(PROCESSES, dirs)
  const referenceOne = await reference(upstreamPort, 1)
  const referenceMany = await reference(upstreamPort, PROCESSES)
  const compare = process.env.BENCH_COMPARE ? await gateway(PROCESSES, dirs, process.env.BENCH_COMPARE) : null
  // CPU of each gateway over its 16-connection cells: ticks of the primary and of the workers, calls.
  const cpu = new Map<Gateway, { primary: number; workers: number; calls: number }>()
  const script = join(dirs[0] as string, 'post.lua')
  await writeFile(
    script,
    'wrk.method = "POST"\nwrk.body = "hello"\nwrk.headers["Content-Type"] = "text/plain"\n',
  )
  const loadBefore = loadavg()
  const lines: string[] = []
  const referenceLines: string[] = []
  const measureReference = async (r: Reference, connections: number) => {
    const before = await sumTicks(r.pids)
    const result = await wrk(r.url, connections, script)
    const after = await sumTicks(r.pids)
    if (connections === 16) {
      r.ticks += after - before
      r.calls += result.calls
    }
    return result
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const connections of [1, 16]) {
      const measure = async (g: Gateway) => {
        const before = await gatewayTicks(g.pid)
        const result = await wrk(`${g.url}/function/bench`, connections, script)
        const after = await gatewayTicks(g.pid)
        if (connections === 16) {
          const sum = cpu.get(g) ?? { primary: 0, workers: 0, calls: 0 }
          sum.primary += after.primary - before.primary
          sum.workers += after.workers - before.workers
          sum.calls += result.calls
          cpu.set(g, sum)
        }
        return result
      }
      const direct = await wrk(`http://127.0.0.1:${upstreamPort}/`, connections, script)
      const single = await measure(one)
      const multi = await measure(many)
      const other = compare ? await measure(compare) : null
      const refOne = await measureReference(referenceOne, connections)
      const refMany = await measureReference(referenceMany, connections)
      referenceLines.push(
        `| ${round} | ${connections} | ${direct.rps.toFixed(0)} | ${refOne.rps.toFixed(0)} (${pct(refOne, direct)}, +${added(refOne, direct)} ms) | ${refMany.rps.toFixed(0)} (${pct(refMany, direct)}, +${added(refMany, direct)} ms) | ${(refMany.rps / refOne.rps).toFixed(2)} |`,
      )
      lines.push(
        `| ${round} | ${connections} | ${direct.rps.toFixed(0)} | ${single.rps.toFixed(0)} (${pct(single, direct)}, +${added(single, direct)} ms) | ${multi.rps.toFixed(0)} (${pct(multi, direct)}, +${added(multi, direct)} ms) | ${(multi.rps / single.rps).toFixed(2)} |${other ? ` ${other.rps.toFixed(0)} (${pct(other, direct)}, +${added(other, direct)} ms) |` : ''}`,
      )
    }
  }
  const loadAfter = loadavg()
  console.log(
    `\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; wrk -t1, ${DURATION_S} s per cell after 2 s warm-up, POST of 5 bytes\n`,
  )
  console.log(
    `| round | conns | direct req/s | 1 process req/s (vs direct, added p50) | ${PROCESSES} processes req/s (vs direct, added p50) | ${PROCESSES} / 1 |${compare ? ` ${PROCESSES} processes of ${process.env.BENCH_COMPARE} |` : ''}`,
  )
  console.log(`|---:|---:|---:|---:|---:|---:|${compare ? '---:|' : ''}`)
  for (const line of lines) console.log(line)
  console.log('\nCPU per call at 16 connections, all rounds (µs of user+system time; primary + workers):')
  const perCall = (ticks: number, calls: number) => ((ticks / TICKS_PER_S) * 1e6) / Math.max(1, calls)
  for (const [label, g] of [
    ['1 process', one],
    [`${PROCESSES} processes`, many],
    ...(compare ? [[`${PROCESSES} processes of ${process.env.BENCH_COMPARE}`, compare] as const] : []),
  ] as const) {
    const sum = cpu.get(g)
    if (!sum) continue
    const total = perCall(sum.primary + sum.workers, sum.calls)
    console.log(
      `- ${label}: ${total.toFixed(0)} µs (primary ${perCall(sum.primary, sum.calls).toFixed(0)}, workers ${perCall(sum.workers, sum.calls).toFixed(0)}) over ${sum.calls} calls`,
    )
  }
  console.log(
    `\nThe undici reference proxy (bench/undici-proxy.ts), same rounds: one process, and ${PROCESSES} copies on one port (SO_REUSEPORT)\n`,
  )
  console.log(
    `| round | conns | direct req/s | 1 process req/s (vs direct, added p50) | ${PROCESSES} processes req/s (vs direct, added p50) | ${PROCESSES} / 1 |`,
  )
  console.log('|---:|---:|---:|---:|---:|---:|')
  for (const line of referenceLines) console.log(line)
  for (const [label, r] of [
    ['1 process', referenceOne],
    [`${PROCESSES} processes`, referenceMany],
  ] as const) {
    console.log(
      `- reference, ${label}: ${perCall(r.ticks, r.calls).toFixed(0)} µs CPU per call over ${r.calls} calls`,
    )
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
}

interface Reference {
  url: string
  pids: number[]
  ticks: number
  calls: number
}

/** `copies` undici reference proxies on one port (SO_REUSEPORT) in front of the upstream. */
async function reference(upstreamPort: number, copies: number): Promise<Reference> {
  const port = await freePort()
  const pids: number[] = []
  for (let i = 0; i < copies; i++) {
    const child = spawnNode('bench/undici-proxy.ts', {
      PORT: String(port),
      TARGET: String(upstreamPort),
      REUSE_PORT: '1',
    })
    pids.push(child.pid ?? 0)
  }
  const url = `http://127.0.0.1:${port}/`
  await waitHttp(url)
  // Every copy listening, or wrk's connections would all land on the first.
  const deadline = Date.now() + 60_000
  while ((await listeners(port)) < copies) {
    if (Date.now() > deadline) throw new Error(`the ${copies} reference proxies did not all listen`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, pids, ticks: 0, calls: 0 }
}

/** Listening sockets on 127.0.0.1:`port` (one per SO_REUSEPORT listener). */
async function listeners(port: number): Promise<number> {
  const table = await readFile('/proc/net/tcp', 'utf8')
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return table.split('\n').filter((row) => {
    const cols = row.trim().split(/\s+/)
    return cols[1] === local && cols[3] === '0A'
  }).length
}

async function sumTicks(pids: number[]): Promise<number> {
  let sum = 0
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (!stat) continue
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    sum += Number(fields[11]) + Number(fields[12])
  }
  return sum
}

const pct = (r: WrkResult, base: WrkResult) => `${((r.rps / base.rps) * 100).toFixed(0)}%`
const added = (r: WrkResult, base: WrkResult) => (r.p50ms - base.p50ms).toFixed(3)

async function wrk(url: string, connections: number, script: string): Promise<WrkResult> {
  await run('wrk', ['-t1', `-c${connections}`, '-d2s', '-s', script, url])
  const out = await run('wrk', [
    '-t1',
    `-c${connections}`,
    `-d${DURATION_S}s`,
    '-s',
    script,
    '--latency',
    url,
  ])
  const m = /^\s*50%\s+([\d.]+)(us|ms|s)/m.exec(out)
  const value = Number(m?.[1])
  const p50ms = m?.[2] === 'us' ? value / 1000 : m?.[2] === 's' ? value * 1000 : value
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50ms,
    calls: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

runBench(main)
