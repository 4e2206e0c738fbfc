/**
 * A multi-process gateway (EDGEFAAS_PROCESSES=2) as `npm start` runs it: a real primary process forking
 * a real worker process, both accepting on one port. Calls arrive on fresh connections, so the kernel
 * spreads them over both processes; every behaviour of a single process must hold across them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'
import { alive, childPids } from '../harness/processes.ts'

const USER = 'admin'
const PASSWORD = 'processes-test-password'
const auth = { authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}` }

/** One call on its own connection (no keep-alive), so each call is a new pick of the kernel's. */
function call(
  url: string,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<{ status: number; body: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    let localPort = 0
    const req = request(`${url}${path}`, {
      method: init.method ?? 'GET',
      agent: init.agent ?? false,
      headers: init.headers ?? {},
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort }))
      res.on('error', reject)
    })
    req.on('socket', (socket) => socket.once('connect', () => (localPort = socket.localPort ?? 0)))
    req.on('error', reject)
    req.end(init.body)
  })
}

async function api(url: string, path: string, method: string, body?: unknown): Promise<number> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  await res.arrayBuffer()
  return res.status
}

async function metrics(url: string): Promise<string> {
  return (await call(url, '/metrics', { headers: auth })).body
}

/** The value of one series in a Prometheus text exposition, 0 when absent. */
function sample(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1))
  }
  return 0
}

/**
 * `count` kept-alive connections (one Agent each) that the worker process accepted: a connection stays
 * with the process that accepted it, so calls on these never reach the primary's own listener. Which
 * process took a connection is read from `edgefaas_process_requests_total`, scraped over one more
 * kept-alive connection whose own process is measured first.
 */
async function workerConnections(url: string, count: number): Promise<Agent[]> {
  const keep = () => new Agent({ keepAlive: true, maxSockets: 1 })
  const scrape = keep()
  const counts = async () => {
    const text = (await call(url, '/metrics', { headers: auth, agent: scrape })).body
    return [0, 1].map((p) => sample(text, `edgefaas_process_requests_total{process="${p}"}`))
  }
  const first = await counts()
  const second = await counts()
  // Between two scrapes on the same connection, only its own process counted (the second scrape).
  const scraper = (second[1] ?? 0) > (first[1] ?? 0) ? 1 : 0
  const found: Agent[] = []
  for (let tries = 0; found.length < count; tries++) {
    if (tries > 200) throw new Error('the kernel gave the worker process no connection in 200 tries')
    const agent = keep()
    const before = await counts()
    await call(url, '/healthz', { agent })
    const after = await counts()
    const took = [0, 1].map((p) => (after[p] ?? 0) - (before[p] ?? 0) - (p === scraper ? 1 : 0))
    if (took[1] === 1) found.push(agent)
    else agent.destroy()
  }
  scrape.destroy()
  return found
}

/** The worker processes of a primary: its children running cluster/worker-main.ts. */
async function workerPids(primary: number): Promise<number[]> {
  const pids: number[] = []
  for (const pid of await childPids(primary)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes('worker-main.ts')) pids.push(pid)
  }
  return pids
}

async function functionStatus(url: string, name: string) {
  const res = await fetch(`${url}/system/function/${name}`, { headers: auth })
  return (await res.json()) as {
    replicas?: number
    availableReplicas?: number
    labels?: Record<string, string>
  }
}

async function generationOf(url: string, name: string): Promise<number> {
  const res = await fetch(`${url}/system/deployments?name=${name}`, { headers: auth })
  const [row] = (await res.json()) as Array<{ generation: number }>
  return row?.generation ?? -1
}

describe('EDGEFAAS_PROCESSES=2 (src/runtime/node/cluster/)', () => {
  let dataDir: string
  let gateway: GatewayProcess
  const started: GatewayProcess[] = []

  const start = async (extra: Record<string, string> = {}) => {
    const g = await startGatewayProcess({
      EDGEFAAS_DATA_DIR: join(dataDir, String(started.length)),
      EDGEFAAS_PROCESSES: '2',
      EDGEFAAS_ADMIN_USER: USER,
      EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
      // Long enough that only the cross-process invalidation can explain a change seen promptly.
      EDGEFAAS_ROUTE_CACHE_TTL_MS: '600000',
      EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
      // The autoscaler would take a function scaled to zero back to its min label before the test calls it.
      EDGEFAAS_AUTOSCALE: 'false',
      ...extra,
    })
    started.push(g)
    return g
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-processes-'))
    gateway = await start()
    expect(await workerPids(gateway.child.pid ?? -1)).toHaveLength(1)
    expect(
      await api(gateway.url, '/system/functions', 'POST', { service: 'echo', image: 'x', envProcess: 'cat' }),
    ).toBe(202)
    await pollUntil(
      'echo to be ready',
      async () => (await functionStatus(gateway.url, 'echo')).availableReplicas === 1,
    )
  }, 120_000)

  afterAll(async () => {
    for (const g of started) {
      const pid = g.child.pid ?? -1
      const workers = await workerPids(pid)
      await g.stop('SIGKILL')
      for (const w of workers) if (alive(w)) process.kill(w, 'SIGKILL')
    }
    await rm(dataDir, { recursive: true, force: true })
  })

  afterEach(() => {
    for (const g of started) expect(g.output()).not.toMatch(/unhandled rejection/)
  })

  it('spreads calls over both processes, and /metrics sums them', async () => {
    const before = await metrics(gateway.url)
    const calls = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(gateway.url, '/function/echo', { method: 'POST', body: `n${i}` }),
      ),
    )
    expect(calls.map((c) => c.status)).toEqual(Array(40).fill(200))
    expect(calls.map((c) => c.body)).toEqual(Array.from({ length: 40 }, (_, i) => `n${i}`))
    const after = await metrics(gateway.url)
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    // Both processes took some of the 40 connections (the kernel hashes each new connection's ports).
    expect(served(after, 0) - served(before, 0)).toBeGreaterThan(0)
    expect(served(after, 1) - served(before, 1)).toBeGreaterThan(0)
    const total = 'gateway_function_invocation_total{function_name="echo.openfaas-fn",code="200"}'
    expect(sample(after, total) - sample(before, total)).toBe(40)
    // GET /system/functions counts them all too (OpenFaaS's invocationCount).
    const list = (await (await fetch(`${gateway.url}/system/functions`, { headers: auth })).json()) as Array<{
      name: string
      invocationCount?: number
    }>
    expect(list.find((f) => f.name === 'echo')?.invocationCount).toBe(sample(after, total))
    // The replica gauge is set by the reconcile tick: summed over processes it would read 2 if the
    // loop ran in both. It runs once, in the primary.
    const replicaGauge = 'gateway_service_count{function_name="echo.openfaas-fn"}'
    await pollUntil(
      'the tick to set the replica gauge',
      async () => sample(await metrics(gateway.url), replicaGauge) > 0,
    )
    expect(sample(await metrics(gateway.url), replicaGauge)).toBe(1)
  })

  it('a deploy and a delete are seen by every process at once (route TTL is 10 min)', async () => {
    // Both processes look the function up first and cache "not found".
    const missing = await Promise.all(Array.from({ length: 16 }, () => call(gateway.url, '/function/late')))
    expect(new Set(missing.map((c) => c.status))).toEqual(new Set([404]))
    expect(
      await api(gateway.url, '/system/functions', 'POST', { service: 'late', image: 'x', envProcess: 'cat' }),
    ).toBe(202)
    await pollUntil(
      'late to be ready',
      async () => (await functionStatus(gateway.url, 'late')).availableReplicas === 1,
    )
    const found = await Promise.all(
      Array.from({ length: 16 }, () => call(gateway.url, '/function/late', { method: 'POST', body: 'hi' })),
    )
    expect(found.map((c) => c.status)).toEqual(Array(16).fill(200))

    expect(await api(gateway.url, '/system/functions', 'DELETE', { functionName: 'late' })).toBe(202)
    await pollUntil(
      'every process to answer 404 for the deleted function',
      async () => {
        const after = await Promise.all(Array.from({ length: 16 }, () => call(gateway.url, '/function/late')))
        return after.every((c) => c.status === 404)
      },
      10_000,
    )
  })

  it('20 concurrent calls at zero, over both processes, scale up once', async () => {
    expect(
      await api(gateway.url, '/system/functions', 'POST', {
        service: 'burst',
        image: 'x',
        envProcess: 'cat',
        labels: { 'com.openfaas.scale.min': '2' },
      }),
    ).toBe(202)
    await pollUntil(
      'burst to be ready',
      async () => (await functionStatus(gateway.url, 'burst')).availableReplicas === 2,
    )
    expect(
      await api(gateway.url, '/system/scale-function/burst', 'POST', { serviceName: 'burst', replicas: 0 }),
    ).toBe(202)
    await pollUntil(
      'burst to reach zero',
      async () => ((await functionStatus(gateway.url, 'burst')).availableReplicas ?? 0) === 0,
    )
    const before = await generationOf(gateway.url, 'burst')
    const primary = gateway.child.pid ?? -1
    // Replica processes of `burst`: the local provider names each instance in its HOSTNAME.
    const replicaPids = async () => {
      const pids: number[] = []
      for (const pid of await childPids(primary)) {
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
        if (environ.split('\0').some((v) => v.startsWith('HOSTNAME=burst-'))) pids.push(pid)
      }
      return pids
    }
    await pollUntil('the retired replicas to exit', async () => (await replicaPids()).length === 0)
    const metricsBefore = await metrics(gateway.url)
    const calls = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(gateway.url, '/function/burst', { method: 'POST', body: `b${i}` }),
      ),
    )
    expect(calls.map((c) => c.status)).toEqual(Array(20).fill(200))
    expect(calls.map((c) => c.body)).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`))
    const metricsAfter = await metrics(gateway.url)
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    expect(served(metricsAfter, 1) - served(metricsBefore, 1)).toBeGreaterThan(0)
    expect(served(metricsAfter, 0) - served(metricsBefore, 0)).toBeGreaterThan(0)
    // One scale-up (one generation), to the min label: two replica processes, not two per process.
    expect(await generationOf(gateway.url, 'burst')).toBe(before + 1)
    expect((await functionStatus(gateway.url, 'burst')).replicas).toBe(2)
    expect(await replicaPids()).toHaveLength(2)
  })

  it('a rate limit holds for the whole gateway, not once per process (in-memory GCRA state)', async () => {
    expect(
      await api(gateway.url, '/system/functions', 'POST', {
        service: 'limited',
        image: 'x',
        envProcess: 'cat',
        annotations: { 'edgefaas.dev/rate-limit': '5/h burst 5' },
      }),
    ).toBe(202)
    await pollUntil(
      'limited to be ready',
      async () => (await functionStatus(gateway.url, 'limited')).availableReplicas === 1,
    )
    const before = await metrics(gateway.url)
    const calls = await Promise.all(
      Array.from({ length: 24 }, () => call(gateway.url, '/function/limited', { method: 'POST', body: 'x' })),
    )
    const after = await metrics(gateway.url)
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    expect(served(after, 0) - served(before, 0)).toBeGreaterThan(0)
    expect(served(after, 1) - served(before, 1)).toBeGreaterThan(0)
    // 5 admitted in all: per-process state would have let up to 5 through each process.
    expect(calls.filter((c) => c.status === 200)).toHaveLength(5)
    expect(calls.filter((c) => c.status === 429)).toHaveLength(19)
  })

  it('requests relayed to the primary keep their caller: the audit log shows each caller address', async () => {
    const before = await metrics(gateway.url)
    const writes = await Promise.all(
      Array.from({ length: 12 }, () =>
        call(gateway.url, '/system/scale-function/echo', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ serviceName: 'echo', replicas: 1 }),
        }),
      ),
    )
    expect(writes.map((w) => w.status)).toEqual(Array(12).fill(202))
    const after = await metrics(gateway.url)
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    expect(served(after, 1) - served(before, 1)).toBeGreaterThan(0)
    const res = await fetch(`${gateway.url}/system/audit?limit=100`, { headers: auth })
    const { items } = (await res.json()) as { items: Array<{ action: string; source: string }> }
    const sources = new Set(
      items.filter((i) => i.action.startsWith('POST /system/scale-function')).map((i) => i.source),
    )
    for (const w of writes) expect(sources).toContain(`127.0.0.1:${w.localPort}`)
  })

  it('the worker picks local replicas itself: calls through both processes cost no IPC per call', async () => {
    const messages = (text: string, name: string) =>
      sample(text, `edgefaas_cluster_messages_total{message="${name}"}`)
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    // The worker's first call to echo subscribes it to echo's replica table; wait until it has one.
    await pollUntil('the worker to subscribe to echo', async () => {
      await Promise.all(
        Array.from({ length: 8 }, () => call(gateway.url, '/function/echo', { method: 'POST', body: 'w' })),
      )
      return messages(await metrics(gateway.url), 'replicas.subscribe') >= 1
    })
    // A table pushed on subscribe is in the pipe before the reply to any call made after it.
    await metrics(gateway.url)
    const before = await metrics(gateway.url)
    const calls = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(gateway.url, '/function/echo', { method: 'POST', body: `m${i}` }),
      ),
    )
    expect(calls.map((c) => c.body)).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`))
    const after = await metrics(gateway.url)
    expect(served(after, 1) - served(before, 1)).toBeGreaterThan(0)
    // Not one message to the primary for these calls: no replica asked, no call counted out, nothing else.
    const all = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('edgefaas_cluster_messages_total{'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
    expect(messages(after, 'local.target') - messages(before, 'local.target')).toBe(0)
    expect(all(after) - all(before)).toBe(0)
  })

  it('scale-down and update under steady load through both processes lose no call', async () => {
    expect(
      await api(gateway.url, '/system/functions', 'POST', {
        service: 'steady',
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        // It dies on SIGTERM with its calls: only the gateway's drain before the signal saves them.
        envVars: { mode: 'http', exit_on_term: 'now' },
      }),
    ).toBe(202)
    expect(
      await api(gateway.url, '/system/scale-function/steady', 'POST', { serviceName: 'steady', replicas: 3 }),
    ).toBe(202)
    await pollUntil(
      'steady to have 3 ready replicas',
      async () => (await functionStatus(gateway.url, 'steady')).availableReplicas === 3,
      60_000,
    )
    const primary = gateway.child.pid ?? -1
    const replicaPids = async () => {
      const pids: number[] = []
      for (const pid of await childPids(primary)) {
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
        if (environ.split('\0').some((v) => v.startsWith('HOSTNAME=steady-'))) pids.push(pid)
      }
      return pids
    }
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    const before = await metrics(gateway.url)
    // Callers on connections the worker holds, with calls longer than the rest: whenever a replica starts
    // retiring, the worker's calls on it outlast the primary's, so only the worker's hold keeps it alive.
    // Plus callers on a new connection per call, which the kernel spreads over both processes.
    const onWorker = await workerConnections(gateway.url, 6)
    let running = true
    const results: string[] = []
    const caller = async (agent?: Agent) => {
      while (running) {
        const answer = await call(gateway.url, `/function/steady/sleep?ms=${agent ? 400 : 100}`, {
          method: 'POST',
          body: 'x',
          ...(agent ? { agent } : {}),
        })
        results.push(`${answer.status} ${answer.body}`)
      }
    }
    const callers = [...onWorker.map((agent) => caller(agent)), ...Array.from({ length: 8 }, () => caller())]
    try {
      await pollUntil('calls to flow', async () => results.length >= 32, 30_000)
      // Scale-down: two replicas retire while they serve calls.
      expect(
        await api(gateway.url, '/system/scale-function/steady', 'POST', {
          serviceName: 'steady',
          replicas: 1,
        }),
      ).toBe(202)
      await pollUntil('two replicas to retire', async () => (await replicaPids()).length === 1, 60_000)
      const [old] = await replicaPids()
      // Update: a new version rolls in, and the old replica retires once the new one is ready.
      expect(
        await api(gateway.url, '/system/functions', 'PUT', {
          service: 'steady',
          image: 'x',
          envProcess: nodeCommand('http-server.ts'),
          envVars: { mode: 'http', exit_on_term: 'now', custom_env: 'v2' },
        }),
      ).toBe(202)
      await pollUntil(
        'the old version to retire',
        async () => {
          const now = await replicaPids()
          return now.length === 1 && now[0] !== old
        },
        60_000,
      )
      const atUpdate = results.length
      await pollUntil('calls to the new version', async () => results.length >= atUpdate + 32, 30_000)
    } finally {
      running = false
      await Promise.all(callers)
      for (const agent of onWorker) agent.destroy()
    }
    const after = await metrics(gateway.url)
    expect(served(after, 0) - served(before, 0)).toBeGreaterThan(0)
    expect(served(after, 1) - served(before, 1)).toBeGreaterThan(0)
    expect(results.filter((r) => r !== '200 slept')).toEqual([])
  }, 180_000)

  it('a killed replica is not chosen again: calls through both processes reach its successor', async () => {
    expect(
      await api(gateway.url, '/system/functions', 'POST', {
        service: 'twice',
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        envVars: { mode: 'http' },
        labels: { 'com.openfaas.scale.min': '2' },
      }),
    ).toBe(202)
    expect(
      await api(gateway.url, '/system/scale-function/twice', 'POST', { serviceName: 'twice', replicas: 2 }),
    ).toBe(202)
    await pollUntil(
      'twice to have 2 ready replicas',
      async () => (await functionStatus(gateway.url, 'twice')).availableReplicas === 2,
      60_000,
    )
    // Both processes have used both replicas (and the worker holds its table).
    const warm = await Promise.all(
      Array.from({ length: 24 }, () => call(gateway.url, '/function/twice/boot')),
    )
    expect(new Set(warm.map((c) => c.status))).toEqual(new Set([200]))
    const primary = gateway.child.pid ?? -1
    const replicaPids = async () => {
      const pids: number[] = []
      for (const pid of await childPids(primary)) {
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
        if (environ.split('\0').some((v) => v.startsWith('HOSTNAME=twice-'))) pids.push(pid)
      }
      return pids
    }
    const [victim] = await replicaPids()
    process.kill(victim as number, 'SIGKILL')
    // Its replica restarts on a new port: the old origin must be gone from every process's table.
    await pollUntil(
      'the killed replica to be replaced',
      async () => {
        const now = await replicaPids()
        return (
          now.length === 2 &&
          !now.includes(victim as number) &&
          (await functionStatus(gateway.url, 'twice')).availableReplicas === 2
        )
      },
      60_000,
    )
    const before = await metrics(gateway.url)
    const calls = await Promise.all(
      Array.from({ length: 40 }, () => call(gateway.url, '/function/twice/boot')),
    )
    const after = await metrics(gateway.url)
    const served = (text: string, p: number) =>
      sample(text, `edgefaas_process_requests_total{process="${p}"}`)
    expect(served(after, 1) - served(before, 1)).toBeGreaterThan(0)
    expect(calls.filter((c) => c.status !== 200)).toEqual([])
    // Both replicas (the survivor and the successor) served, so no process is stuck on one entry.
    expect(new Set(calls.map((c) => c.body)).size).toBe(2)
  }, 120_000)

  it('a killed worker process is replaced, and calls go on', async () => {
    const primary = gateway.child.pid ?? -1
    const [worker] = await workerPids(primary)
    expect(worker).toBeDefined()
    process.kill(worker as number, 'SIGKILL')
    await pollUntil('a new worker process', async () => {
      const now = await workerPids(primary)
      return now.length === 1 && now[0] !== worker
    })
    const calls = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(gateway.url, '/function/echo', { method: 'POST', body: 'again' }),
      ),
    )
    expect(calls.map((c) => c.status)).toEqual(Array(20).fill(200))
    await pollUntil(
      'the new worker to serve calls',
      async () => {
        await call(gateway.url, '/function/echo', { method: 'POST', body: 'x' })
        return sample(await metrics(gateway.url), 'edgefaas_process_requests_total{process="1"}') > 0
      },
      10_000,
    )
  })

  it('SIGTERM drains both processes: every call in flight is answered, then no process is left', async () => {
    const g = await start()
    expect(
      await api(g.url, '/system/functions', 'POST', {
        service: 'slow',
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        envVars: { mode: 'http' },
      }),
    ).toBe(202)
    await pollUntil(
      'slow to be ready',
      async () => (await functionStatus(g.url, 'slow')).availableReplicas === 1,
    )
    const primary = g.child.pid ?? -1
    const workers = await workerPids(primary)
    const replicas = (await childPids(primary)).filter((pid) => !workers.includes(pid))
    const inflight = Array.from({ length: 12 }, () => call(g.url, '/function/slow/sleep?ms=1500'))
    await pollUntil('12 calls in flight', async () => {
      const text = await metrics(g.url)
      return sample(text, 'gateway_function_invocation_inflight{function_name="slow.openfaas-fn"}') >= 12
    })
    const text = await metrics(g.url)
    // Both processes hold some of them (the 12 connections were spread).
    expect(sample(text, 'edgefaas_process_requests_total{process="1"}')).toBeGreaterThan(0)
    const code = g.stop('SIGTERM')
    const answers = await Promise.all(inflight)
    expect(answers.map((a) => `${a.status} ${a.body}`)).toEqual(Array(12).fill('200 slept'))
    expect(await code).toBe(0)
    await pollUntil('workers and replicas to be gone', async () =>
      [...workers, ...replicas].every((p) => !alive(p)),
    )
  })

  it('killing the primary takes its worker processes down (no orphans)', async () => {
    const g = await start()
    const primary = g.child.pid ?? -1
    const workers = await workerPids(primary)
    expect(workers).toHaveLength(1)
    await g.stop('SIGKILL')
    await pollUntil('the orphaned worker to exit', async () => workers.every((p) => !alive(p)), 15_000)
  })
})
