/**
 * The async invocation scenarios of issue 4, run once per queue driver through a real gateway, 1,000
 * calls each: with callbacks they arrive exactly once; a function failing its first two tries gives one
 * callback per call marked `X-Retry: 2`; a function that always fails fills the dead-letter list, and
 * replaying after a fix delivers every call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { type CallbackReceiver, startCallbackReceiver } from '../harness/callback-receiver.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

export interface QueueBackend {
  env: Record<string, string>
  stop(): Promise<void>
}

const FAST_RETRIES = {
  'com.openfaas.retry.attempts': '3',
  'com.openfaas.retry.min_wait': '20ms',
  'com.openfaas.retry.max_wait': '100ms',
}

export function runAsyncScenarios(label: string, backend: () => Promise<QueueBackend>): void {
  describe(`async invocations: ${label}`, () => {
    let queue: QueueBackend
    let g: TestGateway
    let receiver: CallbackReceiver
    let auth: Record<string, string>

    beforeAll(async () => {
      queue = await backend()
      receiver = await startCallbackReceiver()
      g = await startTestGateway({
        ...queue.env,
        EDGEFAAS_CALLBACK_ALLOW: '127.0.0.1/32',
        EDGEFAAS_WORKER_MAX_INFLIGHT: '50',
        EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: '50',
        EDGEFAAS_QUEUE_LEASE_MS: '5000',
      })
      auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
      for (const [name, failTimes] of [
        ['ok', '0'],
        ['twice', '2'],
        ['always', 'always'],
      ] as const) {
        await deploy(name, failTimes)
      }
    }, 120_000)
    afterAll(async () => {
      await g?.close()
      await receiver?.close()
      await queue?.stop()
    })

    async function deploy(
      name: string,
      failTimes: string,
      method = 'POST',
      annotations: Record<string, string> = {},
    ): Promise<void> {
      const res = await fetch(`${g.url}/system/functions`, {
        method,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          service: name,
          image: 'flaky',
          envProcess: nodeCommand('flaky.ts'),
          envVars: { mode: 'http', FAIL_TIMES: failTimes },
          annotations: { ...FAST_RETRIES, ...annotations },
          // One replica throughout: flaky.ts counts tries per call id in its process, so a second replica
          // (the default CE-style autoscaling reacts to 1,000 calls) would start each call's count again.
          labels: { 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '1' },
        }),
      })
      expect(res.status, await res.text()).toBe(202)
      await pollUntil(`${name} ready`, async () => {
        const status = (await (
          await fetch(`${g.url}/system/function/${name}`, { headers: auth })
        ).json()) as { availableReplicas?: number }
        return (status.availableReplicas ?? 0) > 0
      })
    }

    async function submit(name: string, count: number, tag: string): Promise<string[]> {
      const ids: string[] = []
      for (let start = 0; start < count; start += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, count - start) }, async (_, i) => {
            const res = await fetch(`${g.url}/async-function/${name}`, {
              method: 'POST',
              headers: { 'X-Callback-Url': receiver.url },
              body: `${tag}-${start + i}`,
            })
            expect(res.status).toBe(202)
            return res.headers.get('x-call-id') ?? ''
          }),
        )
        ids.push(...batch)
      }
      return ids
    }

    it('1,000 calls with callbacks all arrive exactly once', async () => {
      const ids = await submit('ok', 1000, 'ok')
      expect(new Set(ids).size).toBe(1000)
      await pollUntil('1,000 callbacks', async () => ids.every((id) => receiver.calls.has(id)), 120_000, 100)
      for (const [i, id] of ids.entries()) {
        const received = receiver.calls.get(id) ?? []
        expect(received, id).toHaveLength(1)
        expect(received[0]?.headers['x-function-status']).toBe('200')
        expect(received[0]?.headers['x-function-name']).toBe('ok.openfaas-fn')
        expect(received[0]?.headers['x-retry']).toBe('0')
        expect(received[0]?.headers['x-duration-seconds']).toMatch(/^\d+\.\d{6}$/)
        expect(received[0]?.headers['x-start-time']).toMatch(/^\d{19}$/)
        expect(received[0]?.body).toBe(`ok-${i}`)
      }
    }, 180_000)

    it('a function failing its first two tries: one callback per call, marked X-Retry: 2', async () => {
      const ids = await submit('twice', 1000, 'twice')
      await pollUntil('1,000 callbacks', async () => ids.every((id) => receiver.calls.has(id)), 120_000, 100)
      for (const id of ids) {
        const received = receiver.calls.get(id) ?? []
        expect(received).toHaveLength(1)
        expect(received[0]?.headers['x-function-status']).toBe('200')
        expect(received[0]?.headers['x-retry']).toBe('2')
        expect(received[0]?.headers['x-retry-max']).toBe('3')
      }
      const status = (await (await fetch(`${g.url}/system/calls/${ids[0]}`, { headers: auth })).json()) as {
        status: string
        attempts: number
      }
      expect(status).toMatchObject({ status: 'succeeded', attempts: 3 })
    }, 120_000)

    it('a function that always fails: every call ends in the dead-letter list and can be replayed', async () => {
      const ids = await submit('always', 1000, 'always')
      const deadIds = async () => {
        const res = await fetch(`${g.url}/system/dead-letters?function=always&limit=1000`, { headers: auth })
        return ((await res.json()) as { items: Array<{ id: string; lastStatus: number; attempts: number }> })
          .items
      }
      await pollUntil('1,000 dead letters', async () => (await deadIds()).length === 1000, 120_000, 100)
      const dead = await deadIds()
      expect(new Set(dead.map((d) => d.id))).toEqual(new Set(ids))
      expect(dead.every((d) => d.lastStatus === 500 && d.attempts === 4)).toBe(true)
      // The final failure is reported to the callback too, once.
      await pollUntil(
        '1,000 failure callbacks',
        async () => ids.every((id) => receiver.calls.has(id)),
        60_000,
        100,
      )
      expect(ids.every((id) => receiver.calls.get(id)?.[0]?.headers['x-function-status'] === '500')).toBe(
        true,
      )

      const one = await (await fetch(`${g.url}/system/dead-letters/${ids[0]}`, { headers: auth })).json()
      expect(one).toMatchObject({ id: ids[0], function: 'always', request: { method: 'POST' } })

      // Fix the function, then replay every dead letter: each call is delivered again, now with 200.
      await deploy('always', '0', 'PUT')
      // The rolling update keeps the old replica serving until the new one is ready; wait until only
      // the fixed version answers.
      let streak = 0
      await pollUntil('the fixed version to serve', async () => {
        const res = await fetch(`${g.url}/function/always`, { method: 'POST', body: 'probe' })
        streak = res.status === 200 ? streak + 1 : 0
        return streak >= 5
      })
      for (const id of ids) {
        const res = await fetch(`${g.url}/system/dead-letters/${id}/replay`, {
          method: 'POST',
          headers: auth,
        })
        expect(res.status).toBe(202)
      }
      const replayed = () =>
        ids.filter((id) => receiver.calls.get(id)?.some((c) => c.headers['x-function-status'] === '200'))
      await pollUntil('replayed callbacks', async () => replayed().length === ids.length, 120_000, 100).catch(
        async (error: Error) => {
          const missing = ids.find((id) => !replayed().includes(id))
          const call = await (await fetch(`${g.url}/system/calls/${missing}`, { headers: auth })).text()
          throw new Error(
            `${error.message}: ${replayed().length}/${ids.length} replayed; for example ${call}`,
          )
        },
      )
      expect(await deadIds()).toEqual([])
    }, 180_000)

    it('com.openfaas.queue puts the calls of a function on their own queue, which the worker drains', async () => {
      await deploy('priority', '0', 'POST', { 'com.openfaas.queue': 'priority' })
      const [id = ''] = await submit('priority', 1, 'priority')
      const call = (await (await fetch(`${g.url}/system/calls/${id}`, { headers: auth })).json()) as {
        queue: string
      }
      expect(call.queue).toBe('priority')
      // The worker refreshes its list of queues every few seconds.
      await pollUntil('the callback from the named queue', async () => receiver.calls.has(id), 30_000, 100)
    }, 60_000)

    it('reports outcomes and queue depth as queue_worker_* metrics', async () => {
      let metrics = ''
      const value = (series: string) => Number(new RegExp(`^${series} (\\d+)`, 'm').exec(metrics)?.[1] ?? -1)
      // The depth gauge follows the worker's periodic refresh of its queue list.
      await pollUntil('the queue depth gauge', async () => {
        metrics = await (await fetch(`${g.url}/metrics`, { headers: auth })).text()
        return value('queue_worker_pending_messages\\{queue_name="default"\\}') >= 0
      })
      expect(
        value('queue_worker_messages_processed_total\\{queue_name="default",outcome="succeeded"\\}'),
      ).toBeGreaterThanOrEqual(1000)
      expect(
        value('queue_worker_messages_processed_total\\{queue_name="default",outcome="retried"\\}'),
      ).toBeGreaterThanOrEqual(2000)
      expect(value('queue_worker_pending_messages\\{queue_name="default"\\}')).toBeGreaterThanOrEqual(0)
    })
  })
}
