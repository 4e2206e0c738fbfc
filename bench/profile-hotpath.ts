/**
 * `node bench/profile-hotpath.ts`: CPU time per call of the gateway's hot path, the figure that does not
 * depend much on how loaded the machine is. Starts the trivial upstream, the undici reference proxy
 * (bench/undici-proxy.ts) and a gateway (`npm start`'s code) with an http-mode function; drives each with
 * wrk (POST of 5 bytes, 16 connections) and reads the process's user+system CPU time from /proc before
 * and after, so each row is CPU µs per call of that process alone. With `BENCH_PROFILE=1` the gateway
 * runs under `--cpu-prof` and the self time by function is printed (top 40) when it stops; the undici
 * reference proxy is profiled too, and both profiles are printed side by side as self time **per call**
 * (µs, profiled, so higher than unprofiled), sorted by what the gateway spends over the reference: where
 * the gateway's extra CPU per call goes, Node's and undici's internals included.
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
  const referenceProfileDir = await mkdtemp(join(tmpdir(), 'edgefaas-profile-reference-'))
  const undici = spawnNode(
    'bench/undici-proxy.ts',
    { PORT: String(undiciPort), TARGET: String(upstreamPort) },
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${referenceProfileDir}`] : [],
  )
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
    undici.kill('SIGTERM')
    await Promise.all([
      new Promise((resolve) => gateway.once('exit', resolve)),
      new Promise((resolve) => undici.once('exit', resolve)),
    ])
    const gatewayProfile = await mainThreadProfile(profileDir)
    const referenceProfile = await mainThreadProfile(referenceProfileDir)
    if (gatewayProfile) {
      if (process.env.BENCH_PROFILE_OUT) await writeFile(process.env.BENCH_PROFILE_OUT, gatewayProfile.text)
      summarise(gatewayProfile.profile)
      if (referenceProfile) {
        perCallBesideReference(
          gatewayProfile.profile,
          totals[1]!.calls,
          referenceProfile.profile,
          totals[0]!.calls,
        )
      }
    }
  }
  await rm(dataDir, { recursive: true, force: true })
  await rm(referenceProfileDir, { recursive: true, force: true })
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

/** The main thread's profile in `dir` (worker threads write their own, numbered after it). */
async function mainThreadProfile(dir: string): Promise<{ text: string; profile: Profile } | null> {
  const [file] = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
  if (!file) return null
  const text = await readFile(join(dir, file), 'utf8')
  return { text, profile: JSON.parse(text) as Profile }
}

/** Self time in µs by function (idle left out); start-up (module loading, type stripping) kept apart. */
function selfTimes(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    if (functionName === '(idle)') return
    const file = url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/') || '(native)'
    const key = `${functionName || '(anon)'} ${file}:${lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  return self
}

/** What the process spends at start-up, not per call: left out of the per-call comparison. */
const START_UP =
  /node:internal\/modules\/|amaro|wasm:\/\/wasm\/(?!00034eea)|realpathSync|internalModuleStat|readFileUtf8|compileFunction/

/**
 * Self time per call, gateway beside the reference proxy, sorted by the gateway's excess: the top 30
 * rows where the gateway spends more than the reference, and the totals. Per call, so the two processes'
 * different call counts do not skew it.
 */
function perCallBesideReference(
  gateway: Profile,
  gatewayCalls: number,
  reference: Profile,
  referenceCalls: number,
) {
  const g = selfTimes(gateway)
  const r = selfTimes(reference)
  const rows: Array<[string, number, number]> = []
  let gTotal = 0
  let rTotal = 0
  for (const key of new Set([...g.keys(), ...r.keys()])) {
    if (START_UP.test(key)) continue
    const gu = (g.get(key) ?? 0) / gatewayCalls
    const ru = (r.get(key) ?? 0) / referenceCalls
    gTotal += gu
    rTotal += ru
    rows.push([key, ru, gu])
  }
  rows.sort((a, b) => b[2] - b[1] - (a[2] - a[1]))
  console.log(
    `\nself time per call (µs, profiled; start-up left out): reference ${rTotal.toFixed(1)}, gateway ${gTotal.toFixed(1)}\n  reference  gateway   excess`,
  )
  for (const [key, ru, gu] of rows.slice(0, 30)) {
    console.log(
      `${ru.toFixed(2).padStart(11)} ${gu.toFixed(2).padStart(8)} ${(gu - ru).toFixed(2).padStart(8)}  ${key}`,
    )
  }
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
