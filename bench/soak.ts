/**
 * `npm run bench:soak`: a long steady mixed load (closed-loop sync callers plus async submitters with
 * callbacks) on two setups, sampling throughput, p99 latency and memory over time:
 *   embedded — one gateway, SQLite and the embedded queue (the defaults);
 *   scaled   — two `serve` gateways and one `worker` on PostgreSQL and a 3-node NATS JetStream cluster
 *              with streams of 3 replicas (docs/scaling.md), the load spread over the two.
 * Memory is each gateway's RSS (/proc) and V8 heap used (its /metrics, prom-client's process metrics;
 * RSS only for the worker, which has no listener). Growth compares the median of the first third of
 * the samples after warm-up (the first fifth of the run) with the median of the last third.
 * At the end every accepted async call must have reached its callback; errors are any non-2xx answer.
 *
 * SOAK_SECONDS (default 600), SOAK_SETUPS (default `embedded,scaled`), SOAK_SYNC / SOAK_ASYNC (callers,
 * default 4 and 2). Exits non-zero when there was an error, a lost call or memory grew by 10% or more.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeCommand } from '../test/fixtures/functions/index.ts'
import { startCallbackReceiver } from '../test/harness/callback-receiver.ts'
import { type GatewayProcess, startGatewayProcess } from '../test/harness/gateway-process.ts'
import { type Outcome, startMixedLoad } from '../test/harness/mixed-load.ts'
import { startNatsCluster } from '../test/harness/nats-cluster.ts'
import { pollUntil } from '../test/harness/poll.ts'
import { startPostgres } from '../test/harness/postgres.ts'
import { median, percentile, runBench } from './lib.ts'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const SETUPS = (process.env.SOAK_SETUPS ?? 'embedded,scaled').split(',').map((s) => s.trim())
const SYNC = Number(process.env.SOAK_SYNC ?? 4)
const ASYNC = Number(process.env.SOAK_ASYNC ?? 2)
const SAMPLES = 20
const PASSWORD = 'soak-bench-password'
const AUTH = { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` }

interface Sample {
  at: number
  syncPerSecond: number
  asyncPerSecond: number
  p99Ms: number
  errors: number
  /** Per gateway: RSS and heap used, MiB (heap null where there is no listener). */
  memory: { name: string; rssMiB: number; heapMiB: number | null }[]
  load1: number
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

async function heapMiB(url: string): Promise<number | null> {
  const text = await fetch(`${url}/metrics`, { headers: AUTH })
    .then((r) => r.text())
    .catch(() => '')
  const value = /^nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text)?.[1]
  return value ? Number(value) / 1024 / 1024 : null
}

interface Setup {
  name: string
  targets: string[]
  gateways: { name: string; process: GatewayProcess }[]
  stop(): Promise<void>
}

async function gatewayEnv(extra: Record<string, string>): Promise<Record<string, string>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-soak-'))
  return {
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
    EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
    EDGEFAAS_LOG_LEVEL: 'warn',
    // Steady load must not start more function processes than the machine has room for.
    EDGEFAAS_SCALE_TARGET: '1000000',
    ...extra,
  }
}

async function embedded(): Promise<Setup> {
  const env = await gatewayEnv({})
  const gateway = await startGatewayProcess(env)
  return {
    name: 'embedded (SQLite, embedded queue, 1 gateway)',
    targets: [gateway.url],
    gateways: [{ name: 'gateway', process: gateway }],
    async stop() {
      await gateway.stop()
      await rm(env.EDGEFAAS_DATA_DIR ?? '', { recursive: true, force: true })
    },
  }
}

async function scaled(): Promise<Setup> {
  const [pg, nats] = await Promise.all([startPostgres(), startNatsCluster(3)])
  const shared = {
    EDGEFAAS_DATABASE_URL: pg.url,
    EDGEFAAS_QUEUE_URL: nats.url,
    EDGEFAAS_QUEUE_NATS_REPLICAS: '3',
  }
  const envs = await Promise.all([
    gatewayEnv({ ...shared, EDGEFAAS_ROLES: 'api', EDGEFAAS_INSTANCE_ID: 'serve-a' }),
    gatewayEnv({ ...shared, EDGEFAAS_ROLES: 'api', EDGEFAAS_INSTANCE_ID: 'serve-b' }),
    gatewayEnv({ ...shared, EDGEFAAS_ROLES: 'worker', EDGEFAAS_INSTANCE_ID: 'worker-c' }),
  ])
  const a = await startGatewayProcess(envs[0] ?? {})
  const b = await startGatewayProcess(envs[1] ?? {})
  const c = await startGatewayProcess(envs[2] ?? {}, 'worker')
  return {
    name: 'scaled (PostgreSQL, 3-node JetStream R3, 2 serve + 1 worker)',
    targets: [a.url, b.url],
    gateways: [
      { name: 'serve-a', process: a },
      { name: 'serve-b', process: b },
      { name: 'worker', process: c },
    ],
    async stop() {
      for (const g of [a, b, c]) await g.stop()
      await nats.stop()
      await pg.stop()
      for (const env of envs) await rm(env.EDGEFAAS_DATA_DIR ?? '', { recursive: true, force: true })
    },
  }
}

async function soak(setup: Setup): Promise<boolean> {
  const receiver = await startCallbackReceiver()
  const first = setup.targets[0] ?? ''
  const deploy = await fetch(`${first}/system/functions`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({
      service: 'soak',
      image: 'x',
      envProcess: nodeCommand('flaky.ts'),
      envVars: { mode: 'http', DELAY_MS: '5' },
    }),
  })
  if (deploy.status !== 202) throw new Error(`deploy answered ${deploy.status}`)
  for (const target of setup.targets) {
    await pollUntil(
      `the function through ${target}`,
      async () => (await fetch(`${target}/function/soak`, { method: 'POST', body: 'x' })).status === 200,
      60_000,
      200,
    )
  }
  const load = startMixedLoad({
    fn: 'soak',
    targets: setup.targets,
    syncConcurrency: SYNC,
    asyncConcurrency: ASYNC,
    callbackUrl: receiver.url,
  })
  const started = Date.now()
  const every = (SECONDS * 1000) / SAMPLES
  const samples: Sample[] = []
  let seen = 0
  for (let i = 1; i <= SAMPLES; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + i * every - Date.now())))
    const window = load.outcomes.slice(seen)
    seen += window.length
    const seconds = every / 1000
    const sync = window.filter((o: Outcome) => o.kind === 'sync')
    const memory = await Promise.all(
      setup.gateways.map(async (g) => ({
        name: g.name,
        rssMiB: await rssMiB(g.process.child.pid ?? 0),
        heapMiB: g.process.url ? await heapMiB(g.process.url) : null,
      })),
    )
    const sample: Sample = {
      at: Math.round((Date.now() - started) / 1000),
      syncPerSecond: sync.length / seconds,
      asyncPerSecond: (window.length - sync.length) / seconds,
      p99Ms: percentile(
        sync.map((o) => o.endedAt - o.startedAt),
        99,
      ),
      errors: window.filter((o) => o.status < 200 || o.status >= 300).length,
      memory,
      load1: loadavg()[0] ?? 0,
    }
    samples.push(sample)
    console.log(
      `  ${String(sample.at).padStart(4)} s  sync ${sample.syncPerSecond.toFixed(0)}/s  async ${sample.asyncPerSecond.toFixed(0)}/s  p99 ${sample.p99Ms} ms  errors ${sample.errors}  ` +
        memory
          .map((m) => `${m.name} rss ${m.rssMiB.toFixed(0)} heap ${m.heapMiB?.toFixed(0) ?? '-'} MiB`)
          .join('  ') +
        `  load ${sample.load1.toFixed(1)}`,
    )
  }
  await load.stop()
  await pollUntil(
    'every accepted async call to reach its callback',
    async () => load.accepted.every((id) => receiver.calls.has(id)),
    120_000,
    250,
  ).catch(() => undefined)
  const lost = load.accepted.filter((id) => !receiver.calls.has(id)).length
  await receiver.close()

  const after = samples.slice(Math.ceil(SAMPLES / 5))
  const series = after
  const growth = setup.gateways.map((g, index) => {
    const rss = after.map((s) => s.memory[index]?.rssMiB ?? 0)
    const heap = after.map((s) => s.memory[index]?.heapMiB ?? 0)
    // Heap used is a GC sawtooth sampled at random phases: compare medians of a third of the samples.
    const span = Math.max(3, Math.floor(series.length / 3))
    const pct = (values: number[]) => (median(values.slice(-span)) / median(values.slice(0, span)) - 1) * 100
    return { name: g.name, rss: pct(rss), heap: g.process.url ? pct(heap) : null }
  })
  const errors = samples.reduce((n, s) => n + s.errors, 0)
  const total = load.outcomes.length
  console.log(`\n### ${setup.name}, ${SECONDS} s, ${SYNC} sync + ${ASYNC} async callers\n`)
  console.log(
    '| t (s) | sync/s | async/s | sync p99 (ms) | errors | ' +
      setup.gateways.map((g) => `${g.name} RSS / heap (MiB)`).join(' | ') +
      ' | load1 |',
  )
  console.log(`|---|---|---|---|---|${setup.gateways.map(() => '---|').join('')}---|`)
  for (const s of samples) {
    console.log(
      `| ${s.at} | ${s.syncPerSecond.toFixed(0)} | ${s.asyncPerSecond.toFixed(0)} | ${s.p99Ms} | ${s.errors} | ` +
        s.memory.map((m) => `${m.rssMiB.toFixed(0)} / ${m.heapMiB?.toFixed(0) ?? '–'}`).join(' | ') +
        ` | ${s.load1.toFixed(1)} |`,
    )
  }
  console.log(
    `\n${total} requests, ${errors} errors, ${load.accepted.length} async calls accepted, ${lost} lost; growth after warm-up: ` +
      growth
        .map(
          (g) => `${g.name} RSS ${g.rss.toFixed(1)}%${g.heap === null ? '' : `, heap ${g.heap.toFixed(1)}%`}`,
        )
        .join('; ') +
      ` (${cpus().length} cores, load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})\n`,
  )
  return errors === 0 && lost === 0 && growth.every((g) => g.rss < 10 && (g.heap === null || g.heap < 10))
}

runBench(async () => {
  let ok = true
  for (const name of SETUPS) {
    const setup = name === 'scaled' ? await scaled() : await embedded()
    console.log(`${setup.name}: ${SECONDS} s`)
    try {
      ok = (await soak(setup)) && ok
    } finally {
      await setup.stop()
    }
  }
  if (!ok) throw new Error('soak failed: errors, lost calls or memory growth of 10% or more (see above)')
})
