/**
 * `node bench/profile-hotpath.ts`: CPU time per call of the gateway's hot path, the figure that does not
 * depend much on how loaded the machine is. Starts the trivial upstream, the undici reference proxy
 * (bench/undici-proxy.ts) and a gateway (`npm start`'s code) with an http-mode function; drives each with
 * wrk (POST of 5 bytes, 16 connections) and reads the process's user+system CPU time from /proc before
 * and after, so each row is CPU µs per call of that process alone. With `BENCH_PROFILE=1` the gateway
 * runs under `--cpu-prof` and the self time by function is printed (top 40) when it stops.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { deployBenchFunction, freePort, ROOT, runBench, spawnNode, waitHttp } from './lib.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const TICKS_PER_S = 100

async function main(): Promise<void> {
  const upstreamPort = await freePort()
  spawnNode('bench/upstream.ts', { PORT: String(upstreamPort) })
  await waitHttp(`http://127.0.0.1:${upstreamPort}/`)
  const undiciPort = await freePort()
  const undici = spawnNode('bench/undici-proxy.ts', {
    PORT: String(undiciPort),
    TARGET: String(upstreamPort),
  })
  await waitHttp(`http://127.0.0.1:${undiciPort}/`)

  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-profile-'))
  const profileDir = join(dataDir, 'profile')
  // BENCH_COMPARE: other checkouts (colon-separated roots) whose gateway runs beside this one, for A/B.
  const roots = [ROOT, ...(process.env.BENCH_COMPARE ?? '').split(':').filter(Boolean)]
  const targets: Array<{ label: string; pid: number; url: string }> = [
    { label: 'undici reference proxy', pid: undici.pid!, url: `http://127.0.0.1:${undiciPort}/` },
  ]
  let profiled: ReturnType<typeof spawnNode> | null = null
  for (const [i, root] of roots.entries()) {
    const gatewayDir = join(dataDir, `gateway-${i}`)
    const { gateway, url } = await startGateway(root, gatewayDir, i === 0 ? profileDir : null)
    if (i === 0) profiled = gateway
    targets.push({
      label: i === 0 ? 'edgefaas (this checkout)' : `edgefaas (${root})`,
      pid: gateway.pid!,
      url,
    })
  }

  const script = join(dataDir, 'post.lua')
  await writeFile(
    script,
    'wrk.method = "POST"\nwrk.body = "hello"\nwrk.headers["Content-Type"] = "text/plain"\n',
  )
  console.log(
    `wrk -t1 -c${CONNECTIONS} -d${DURATION_S}s, POST 5 bytes, ${ROUNDS} interleaved rounds; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  for (const t of targets) await run('wrk', ['-t1', `-c${CONNECTIONS}`, '-d2s', '-s', script, t.url])
  const totals = targets.map(() => ({ calls: 0, ticks: 0, seconds: 0 }))
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with a different target: under a shared machine's load, whoever runs last in
    // every round would otherwise pay for it (fewer requests per event-loop turn, more CPU per call).
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length
      const t = targets[i]!
      const before = await cpuTicks(t.pid)
      const out = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION_S}s`, '-s', script, t.url])
      const after = await cpuTicks(t.pid)
      totals[i]!.calls += Number(/(\d+) requests in/.exec(out)?.[1])
      totals[i]!.ticks += after - before
      totals[i]!.seconds += DURATION_S
    }
  }
  for (const [i, t] of targets.entries()) {
    const { calls, ticks, seconds } = totals[i]!
    const us = ((ticks / TICKS_PER_S) * 1e6) / calls
    console.log(`${t.label}: ${(calls / seconds).toFixed(0)} req/s, ${us.toFixed(0)} µs CPU per call`)
  }
  if (process.env.BENCH_PROFILE && profiled) {
    const gateway = profiled
    gateway.kill('SIGINT')
    await new Promise((resolve) => gateway.once('exit', resolve))
    const [file] = await readdir(profileDir)
    if (file) {
      const text = await readFile(join(profileDir, file), 'utf8')
      if (process.env.BENCH_PROFILE_OUT) await writeFile(process.env.BENCH_PROFILE_OUT, text)
      summarise(JSON.parse(text) as Profile)
    }
  }
  await rm(dataDir, { recursive: true, force: true })
}

/** A gateway of the checkout at `root` (`npm start`'s code) with the bench function deployed. */
async function startGateway(root: string, dataDir: string, profileDir: string | null) {
  const port = await freePort()
  const password = 'bench-password'
  const gateway = spawnNode(
    join(root, 'src/runtime/node/main.ts'),
    {
      EDGEFAAS_PORT: String(port),
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: password,
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_LOG_LEVEL: 'error',
    },
    process.env.BENCH_PROFILE && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  )
  const url = `http://127.0.0.1:${port}`
  await waitHttp(`${url}/healthz`)
  return { gateway, url: await deployBenchFunction(url, password) }
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time by function, top 40, and by file. */
function summarise(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  const files = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    const file = url.replace(/^file:\/\/.*?\/(node_modules|src)\//, '$1/') || '(native)'
    const key = `${functionName || '(anon)'} ${file}:${lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + dt)
    files.set(file, (files.get(file) ?? 0) + dt)
    if (functionName !== '(idle)') total += dt
  })
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
  console.log(`\nbusy ${(total / 1000).toFixed(0)} ms; self time by function:\n${top(self, 40).join('\n')}`)
  console.log(`\nby file:\n${top(files, 25).join('\n')}`)
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

runBench(main)
