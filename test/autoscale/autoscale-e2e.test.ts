/**
 * Autoscaling end to end (issue 12's "Done when"): a real Node gateway, http-mode functions whose
 * replicas are processes, and load from an in-test HTTP loop, once per load source — the built-in one
 * (no Prometheus), a real Prometheus and a real VictoriaMetrics scraping the gateway every second. The
 * scenarios of one source run concurrently on one gateway, each on its own function.
 *
 * Numbers are the issue's: rps target=5 max=4 under ~20 calls/s → 4 within 30 s, back to min within
 * 60 s; 20 s zero-duration → 0, next call succeeds; no labels min 1 max 2 under 10 calls/s → 2 within
 * 60 s and back to 1 within 60 s; the gateway-wide zero-duration (30 s here) → 0 within 2 minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { freePort } from '../harness/free-port.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type MetricsStore, type MetricsStoreKind, startMetricsStore } from '../harness/prometheus.ts'

const SOURCES: Array<'builtin' | MetricsStoreKind> = ['builtin', 'prometheus', 'victoria-metrics']
const PASSWORD = 'test-password-1'

describe.each(SOURCES)('autoscaling with the %s source', (source) => {
  let g: TestGateway
  let store: MetricsStore | null = null
  let auth: Record<string, string>

  beforeAll(async () => {
    const port = await freePort()
    if (source !== 'builtin') {
      store = await startMetricsStore(source, [
        { address: `127.0.0.1:${port}`, user: 'admin', password: PASSWORD },
      ])
    }
    g = await startTestGateway({
      EDGEFAAS_PORT: String(port),
      EDGEFAAS_ADMIN_USER: 'admin',
      EDGEFAAS_ADMIN_PASSWORD: PASSWORD,
      EDGEFAAS_AUTOSCALE_INTERVAL: '2s',
      EDGEFAAS_SCALE_ZERO_DURATION: '30s',
      EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS: '20000',
      EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: '20',
      ...(store ? { EDGEFAAS_PROMETHEUS_URL: store.url } : {}),
    })
    auth = { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` }
  }, 60_000)

  afterAll(async () => {
    await g?.close()
    await store?.stop()
  })

  async function deploy(service: string, labels: Record<string, string>): Promise<void> {
    const res = await fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        service,
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        envVars: { mode: 'http' },
        labels,
      }),
    })
    expect(res.status, await res.text()).toBe(202)
    await until(service, (s) => s.availableReplicas >= 1, 30_000)
  }

  async function status(name: string): Promise<{ replicas: number; availableReplicas: number }> {
    const res = await fetch(`${g.url}/system/function/${name}`, { headers: auth })
    const body = (await res.json()) as { replicas?: number; availableReplicas?: number }
    return { replicas: body.replicas ?? 0, availableReplicas: body.availableReplicas ?? 0 }
  }

  async function until(
    name: string,
    check: (s: { replicas: number; availableReplicas: number }) => boolean,
    timeoutMs: number,
  ): Promise<number> {
    const started = Date.now()
    let last = { replicas: -1, availableReplicas: -1 }
    try {
      await pollUntil(
        `${name}`,
        async () => {
          last = await status(name)
          return check(last)
        },
        timeoutMs,
        250,
      )
    } catch {
      const history = await fetch(`${g.url}/system/functions/${name}/scaling`, { headers: auth }).then((r) =>
        r.text(),
      )
      throw new Error(`${name} after ${timeoutMs} ms: ${JSON.stringify(last)}; history: ${history}`)
    }
    return Date.now() - started
  }

  /**
   * Calls `path` at `perSecond` until stopped; resolves with the statuses seen. The gateway shares this
   * process's event loop, so timers fire late under load: each tick sends whatever the rate owes by now,
   * keeping the offered load at the rate asked for.
   */
  function load(
    path: string,
    perSecond: number,
  ): { stop(): Promise<Map<number, number>>; lastSentAt(): number } {
    const statuses = new Map<number, number>()
    const pending = new Set<Promise<void>>()
    const started = Date.now()
    let sent = 0
    let lastSentAt = 0
    const send = () => {
      lastSentAt = Date.now()
      const call = fetch(`${g.url}/function/${path}`, { method: 'POST', body: 'x' })
        .then(async (r) => {
          await r.arrayBuffer()
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
        })
        .catch(() => {
          statuses.set(0, (statuses.get(0) ?? 0) + 1)
        })
      pending.add(call)
      call.finally(() => pending.delete(call))
    }
    const timer = setInterval(() => {
      const owed = Math.floor(((Date.now() - started) / 1000) * perSecond) - sent
      for (let i = 0; i < owed; i++, sent++) send()
    }, 1000 / perSecond)
    return {
      lastSentAt: () => lastSentAt,
      async stop() {
        clearInterval(timer)
        await Promise.all(pending)
        return statuses
      },
    }
  }

  describe.concurrent('scenarios', () => {
    it('rps target=5 max=4: ~20 calls/s → 4 replicas within 30 s, back to min within 60 s after (the default 30 s down window included)', async () => {
      await deploy('rps', {
        'com.openfaas.scale.type': 'rps',
        'com.openfaas.scale.target': '5',
        'com.openfaas.scale.max': '4',
      })
      const traffic = load('rps', 20)
      try {
        await until('rps', (s) => s.replicas === 4 && s.availableReplicas === 4, 30_000)
      } finally {
        const statuses = await traffic.stop()
        expect([...statuses.keys()]).toEqual([200])
      }
      await until('rps', (s) => s.replicas === 1, 60_000)
      const history = (await (
        await fetch(`${g.url}/system/functions/rps/scaling`, { headers: auth })
      ).json()) as {
        decisions: Array<{ to: number; reason: string; inputs: { mode: string; source: string } }>
      }
      expect(history.decisions.some((d) => d.to === 4 && d.inputs.mode === 'rps')).toBe(true)
      expect(history.decisions[0]?.inputs.source).toBe(source === 'builtin' ? 'builtin' : 'prometheus')
    }, 180_000)

    it('rps with scale.zero and a 20 s zero-duration: reaches 0 after the calls stop, and the next call brings it back and succeeds', async () => {
      await deploy('sleepy', {
        'com.openfaas.scale.type': 'rps',
        'com.openfaas.scale.target': '5',
        'com.openfaas.scale.max': '4',
        'com.openfaas.scale.zero': 'true',
        'com.openfaas.scale.zero-duration': '20s',
      })
      const traffic = load('sleepy', 5)
      await until('sleepy', (s) => s.replicas === 1 && s.availableReplicas === 1, 10_000)
      await new Promise((resolve) => setTimeout(resolve, 3000)) // a few seconds of calls, then quiet
      await traffic.stop()
      const lastCall = traffic.lastSentAt()
      // At most zero-duration + the source's activity window (Prometheus: 2 × 10 s and a scrape) + two
      // ticks after the last call (docs/autoscaling.md), about 45 s here; the rest is room for a loaded
      // machine.
      await until('sleepy', (s) => s.replicas === 0 && s.availableReplicas === 0, 90_000)
      // Not before 20 s after the last call started.
      expect(Date.now() - lastCall).toBeGreaterThanOrEqual(20_000)
      const res = await fetch(`${g.url}/function/sleepy`, { method: 'POST', body: 'again' })
      expect(res.status).toBe(200)
      expect((await status('sleepy')).replicas).toBe(1)
      const history = (await (
        await fetch(`${g.url}/system/functions/sleepy/scaling`, { headers: auth })
      ).json()) as { decisions: Array<{ to: number; inputs: { mode: string } }> }
      expect(history.decisions[0]).toMatchObject({ to: 0, inputs: { mode: 'zero' } })
    }, 180_000)

    it('no scale labels, min 1 max 2: 10 calls/s → 2 within 60 s, back to 1 within 60 s, and with scale.zero to 0 within 2 minutes', async () => {
      await deploy('ce', {
        'com.openfaas.scale.min': '1',
        'com.openfaas.scale.max': '2',
        'com.openfaas.scale.zero': 'true',
      })
      const traffic = load('ce', 10)
      try {
        await until('ce', (s) => s.replicas === 2 && s.availableReplicas === 2, 60_000)
      } finally {
        await traffic.stop()
      }
      const lastCall = Date.now()
      await until('ce', (s) => s.replicas === 1, 60_000)
      await until('ce', (s) => s.replicas === 0, 120_000 - (Date.now() - lastCall))
    }, 240_000)

    it('queue mode: a backlog of 500 async calls scales the function up and is drained', async () => {
      await deploy('queued', {
        'com.openfaas.scale.type': 'queue',
        'com.openfaas.scale.target': '20',
        'com.openfaas.scale.target-proportion': '1',
        'com.openfaas.scale.max': '4',
      })
      // Enqueued in bursts, faster than one replica drains them (20 at a time, 1 s each).
      const ids: string[] = []
      for (let burst = 0; burst < 10; burst++) {
        const responses = await Promise.all(
          Array.from({ length: 50 }, () =>
            fetch(`${g.url}/async-function/queued/sleep?ms=1000`, { method: 'POST', body: 'x' }),
          ),
        )
        for (const res of responses) {
          expect(res.status).toBe(202)
          ids.push(res.headers.get('x-call-id') ?? '')
        }
      }
      await until('queued', (s) => s.replicas >= 3, 60_000)
      await pollUntil(
        'the backlog to drain',
        async () => (await g.deps.store.countBacklog()).every((b) => b.function !== 'queued'),
        180_000,
        500,
      )
      const sample = await g.deps.store.getCall(ids[ids.length - 1] as string)
      expect(sample?.status).toBe('succeeded')
      await until('queued', (s) => s.replicas === 1, 60_000)
    }, 300_000)

    it('capacity mode: in-flight calls of a slow function scale it', async () => {
      await deploy('slow', {
        'com.openfaas.scale.type': 'capacity',
        'com.openfaas.scale.target': '2',
        'com.openfaas.scale.target-proportion': '1',
        'com.openfaas.scale.max': '4',
      })
      // ~8 calls in flight: 4 calls/s of 2 s each.
      const traffic = load('slow/sleep?ms=2000', 4)
      try {
        await until('slow', (s) => s.replicas >= 3, 60_000)
      } finally {
        await traffic.stop()
      }
      await until('slow', (s) => s.replicas === 1, 60_000)
    }, 180_000)
  })
})
