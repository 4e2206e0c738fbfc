/**
 * `npm run bench`: the cost of edgefaas against the physical floor, in one run on this machine.
 *
 * Starts the trivial upstream (bench/upstream.ts) directly and, inside a real gateway (`npm start`'s
 * code, embedded SQLite, local provider), the same program as an http-mode function; then measures with
 * wrk (a C load generator, so the client costs little CPU), POST of 5 bytes, at 1 and 16 connections:
 *   (a) direct to the upstream, (b) through edgefaas to the function (Node's native transport),
 *   (c) through a bare node:http reverse proxy (bench/bare-proxy.ts) and (e) through a node:http server
 *   with an undici Pool upstream (bench/undici-proxy.ts): what a proxy on Node reaches here, for scale;
 *   (d) through a second edgefaas, a front door that reaches the first as an `openfaas` backend, and
 *   (f) through a third gateway with EDGEFAAS_NATIVE_INVOKE=false (the Web transport, for comparison),
 *   (g) through a fourth gateway running N processes on its port (EDGEFAAS_PROCESSES; BENCH_PROCESSES,
 *   default the cores, at least 2). Every other gateway runs one process.
 *   (h) through a process that only copies bytes between raw sockets (bench/raw-proxy.ts): not a usable
 *   proxy, the floor of what any Node process in the path of a call adds on this machine.
 * Prints requests/s, p50, p99 and the ratios to (a) as a Markdown table for docs/performance.md, each
 * figure the median of BENCH_ROUNDS (default 3) rounds that take every path in turn.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { deployBenchFunction, freePort, median, runBench, spawnNode, waitHttp } from './lib.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const WARMUP_S = 2
const CONNECTIONS = [1, 16]
/** Interleaved rounds per connection count; each printed figure is the median of its rounds. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

interface WrkResult {
  rps: number
  p50ms: number
  p99ms: number
  errors: number
}

async function main(): Promise<void> {
  await requireWrk()
  const upstreamPort = await freePort()
  spawnNode('bench/upstream.ts', { PORT: String(upstreamPort) })
  await waitHttp(`http://127.0.0.1:${upstreamPort}/`)
  const bareProxyPort = await freePort()
  spawnNode('bench/bare-proxy.ts', { PORT: String(bareProxyPort), TARGET: String(upstreamPort) })
  await waitHttp(`http://127.0.0.1:${bareProxyPort}/`)
  const undiciProxyPort = await freePort()
  spawnNode('bench/undici-proxy.ts', { PORT: String(undiciProxyPort), TARGET: String(upstreamPort) })
  await waitHttp(`http://127.0.0.1:${undiciProxyPort}/`)
  const rawProxyPort = await freePort()
  spawnNode('bench/raw-proxy.ts', { PORT: String(rawProxyPort), TARGET: String(upstreamPort) })
  await waitHttp(`http://127.0.0.1:${rawProxyPort}/`)

  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-'))
  const gatewayPort = await freePort()
  const password = 'bench-password'
  spawnNode(
    'src/runtime/node/main.ts',
    {
      EDGEFAAS_PORT: String(gatewayPort),
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: password,
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_LOG_LEVEL: 'warn',
      EDGEFAAS_PROCESSES: '1',
    },
    process.env.BENCH_PROFILE ? ['--cpu-prof'] : [],
  )
  const gateway = `http://127.0.0.1:${gatewayPort}`
  await waitHttp(`${gateway}/healthz`)
  const auth = { authorization: `Basic ${btoa(`admin:${password}`)}` }
  await deployBenchFunction(gateway, password)

  // (d) A front door in front of that gateway, which it reaches as an `openfaas` backend: the path of a
  // call from an edge gateway to a cluster (here another edgefaas) and on to the function.
  const frontDir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-front-'))
  const frontPort = await freePort()
  spawnNode('src/runtime/node/main.ts', {
    EDGEFAAS_PORT: String(frontPort),
    EDGEFAAS_DATA_DIR: frontDir,
    EDGEFAAS_ADMIN_PASSWORD: password,
    EDGEFAAS_LOCAL_SANDBOX: 'none',
    EDGEFAAS_LOG_LEVEL: 'warn',
    EDGEFAAS_PROCESSES: '1',
  })
  const front = `http://127.0.0.1:${frontPort}`
  await waitHttp(`${front}/healthz`)
  const json = { ...auth, 'content-type': 'application/json' }
  const backend = await fetch(`${front}/system/backends`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      name: 'cluster',
      kind: 'openfaas',
      url: gateway,
      credentials: { username: 'admin', password },
    }),
  })
  if (backend.status !== 201) throw new Error(`backend failed: ${backend.status} ${await backend.text()}`)
  await deployBenchFunction(front, password, {
    service: 'bench-remote',
    annotations: { 'edgefaas.dev/backends': 'cluster' },
  })

  // (f) The same gateway code with the Web transport (EDGEFAAS_NATIVE_INVOKE=false), same function.
  const webDir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-web-'))
  const webPort = await freePort()
  spawnNode('src/runtime/node/main.ts', {
    EDGEFAAS_PORT: String(webPort),
    EDGEFAAS_DATA_DIR: webDir,
    EDGEFAAS_ADMIN_PASSWORD: password,
    EDGEFAAS_LOCAL_SANDBOX: 'none',
    EDGEFAAS_LOG_LEVEL: 'warn',
    EDGEFAAS_NATIVE_INVOKE: 'false',
    EDGEFAAS_PROCESSES: '1',
  })
  const web = `http://127.0.0.1:${webPort}`
  await waitHttp(`${web}/healthz`)
  await deployBenchFunction(web, password)

  // (g) The gateway of (b) with N processes accepting on its port (EDGEFAAS_PROCESSES; default the cores).
  const processes = Number(process.env.BENCH_PROCESSES ?? Math.max(2, availableParallelism()))
  const multiDir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-multi-'))
  const multiPort = await freePort()
  spawnNode('src/runtime/node/main.ts', {
    EDGEFAAS_PORT: String(multiPort),
    EDGEFAAS_DATA_DIR: multiDir,
    EDGEFAAS_ADMIN_PASSWORD: password,
    EDGEFAAS_LOCAL_SANDBOX: 'none',
    EDGEFAAS_LOG_LEVEL: 'warn',
    EDGEFAAS_PROCESSES: String(processes),
  })
  const multi = `http://127.0.0.1:${multiPort}`
  await waitHttp(`${multi}/healthz`)
  await deployBenchFunction(multi, password)

  const script = join(dataDir, 'post.lua')
  await writeFile(
    script,
    'wrk.method = "POST"\nwrk.body = "hello"\nwrk.headers["Content-Type"] = "text/plain"\n',
  )

  const paths: Array<{ label: string; url: string }> = [
    { label: '(a) direct', url: `http://127.0.0.1:${upstreamPort}/` },
    { label: '(c) bare node:http proxy', url: `http://127.0.0.1:${bareProxyPort}/` },
    { label: '(e) node:http + undici Pool.stream proxy', url: `http://127.0.0.1:${undiciProxyPort}/` },
    { label: '(b) edgefaas → http-mode function', url: `${gateway}/function/bench` },
    { label: '(f) edgefaas, Web transport (EDGEFAAS_NATIVE_INVOKE=false)', url: `${web}/function/bench` },
    { label: '(d) front door → backend edgefaas → function', url: `${front}/function/bench-remote` },
    { label: `(g) edgefaas, ${processes} processes (EDGEFAAS_PROCESSES)`, url: `${multi}/function/bench` },
    { label: '(h) byte-copying raw-socket proxy (the floor)', url: `http://127.0.0.1:${rawProxyPort}/` },
  ]
  const rows: string[] = []
  for (const connections of CONNECTIONS) {
    // Interleaved rounds, each path once per round, and the median of each figure: a stall of the
    // machine during one cell moves one sample of one path, not the row.
    const samples = paths.map((): WrkResult[] => [])
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, path] of paths.entries()) {
        samples[i]!.push(await wrk(path.url, connections, script, round === 0))
      }
    }
    const medians = samples.map(medianOf)
    const direct = medians[0]!
    for (const [i, path] of paths.entries()) rows.push(row(path.label, connections, medians[i]!, direct))
  }
  console.log(
    `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  )
  console.log(
    `wrk -t1, ${DURATION_S} s per cell after ${WARMUP_S} s warm-up, median of ${ROUNDS} interleaved rounds; keep-alive; POST of 5 bytes, 2-byte answer; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  )
  console.log('| path | conns | req/s | p50 ms | p99 ms | throughput vs (a) | added p50 ms |')
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) console.log(r)
  await rm(dataDir, { recursive: true, force: true })
  await rm(frontDir, { recursive: true, force: true })
  await rm(webDir, { recursive: true, force: true })
  await rm(multiDir, { recursive: true, force: true })
}

function row(label: string, connections: number, r: WrkResult, base: WrkResult): string {
  const ratio = `${((r.rps / base.rps) * 100).toFixed(0)}%`
  const added = (r.p50ms - base.p50ms).toFixed(3)
  const errors = r.errors > 0 ? ` (${r.errors} errors)` : ''
  return `| ${label}${errors} | ${connections} | ${r.rps.toFixed(0)} | ${r.p50ms.toFixed(3)} | ${r.p99ms.toFixed(3)} | ${ratio} | ${added} |`
}

/** Each figure's median over the rounds, taken apart (errors are summed). */
function medianOf(results: WrkResult[]): WrkResult {
  return {
    rps: median(results.map((r) => r.rps)),
    p50ms: median(results.map((r) => r.p50ms)),
    p99ms: median(results.map((r) => r.p99ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  }
}

async function wrk(url: string, connections: number, script: string, warmUp: boolean): Promise<WrkResult> {
  if (warmUp) await run('wrk', ['-t1', `-c${connections}`, `-d${WARMUP_S}s`, '-s', script, url])
  const out = await run('wrk', [
    '-t1',
    `-c${connections}`,
    `-d${DURATION_S}s`,
    '-s',
    script,
    '--latency',
    url,
  ])
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + socketErrors(out)
  return { rps, p50ms: percentile(out, '50%'), p99ms: percentile(out, '99%'), errors }
}

function socketErrors(out: string): number {
  const m = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return m ? m.slice(1).reduce((a, b) => a + Number(b), 0) : 0
}

/** wrk prints `50%  123.00us` or `1.23ms`; returns milliseconds. */
function percentile(out: string, label: string): number {
  const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out)
  if (!m?.[1]) throw new Error(`wrk output has no ${label} line:\n${out}`)
  const value = Number(m[1])
  return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

async function requireWrk(): Promise<void> {
  await run('wrk', ['--version']).catch((error: NodeJS.ErrnoException) => {
    // wrk --version exits 1 after printing; only a missing binary is fatal.
    if (error.code === 'ENOENT') throw new Error('wrk is not installed: apt-get install wrk')
  })
}

runBench(main)
