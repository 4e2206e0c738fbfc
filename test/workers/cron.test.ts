// The Worker's cron path: scheduled() runs the loops of src/runtime/workers/loops.ts under D1 leases
// within the tick budget. A desired-replica change written to D1 (what an autoscaler decides; until
// autoscaling lands, a manual change stands in) is applied to the Node backend by the cron tick alone.
// The loop runner's budget, cursor and lease rules are checked over the same D1.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, inject, it } from 'vitest'
import { consoleLogger } from '../../src/logger.ts'
import { type Loop, runLoops } from '../../src/loops/runner.ts'
import worker, { type Env } from '../../src/runtime/workers/index.ts'
import { SqliteStore } from '../../src/store/sqlite.ts'
import { api, registerNodeBackend, until } from './helpers.ts'

const store = () => new SqliteStore(drizzle(env.DB))

async function cronTick(): Promise<void> {
  const ctx = createExecutionContext()
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }),
    env as unknown as Env,
    ctx,
  )
  await waitOnExecutionContext(ctx)
}

describe('cron ticks on the Worker', () => {
  it('apply a desired-replica change to the backend', async () => {
    const { edgefaas } = inject('workerdBackends')
    const { selector } = await registerNodeBackend()
    const name = `cron-${crypto.randomUUID().slice(0, 8)}`
    const deployed = await api('POST', '/system/functions', {
      service: name,
      image: 'functions/alpine:latest',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': selector },
    })
    expect(deployed.status, await deployed.text()).toBe(202)
    const nodeAuth = { authorization: `Basic ${btoa(`${edgefaas.user}:${edgefaas.password}`)}` }
    const onBackend = async () =>
      (
        (await (await fetch(`${edgefaas.url}/system/function/${name}`, { headers: nodeAuth })).json()) as {
          replicas: number
        }
      ).replicas
    await until('the function on the backend', async () => (await onBackend()) === 1)

    // The scale decision, written to D1 without the inline reconcile an API write would trigger.
    await store().setReplicas('openfaas-fn', name, 3)
    expect(await onBackend()).toBe(1)
    await cronTick()
    expect(await onBackend()).toBe(3)
    await api('DELETE', '/system/functions', { functionName: name })
  }, 60_000)
})

describe('the loop runner over D1', () => {
  const logger = consoleLogger('error')
  const counting = (name: string, batches: number, everyMs = 0) => {
    const seen: Array<string | null> = []
    const loop: Loop = {
      name,
      everyMs,
      async step(cursor) {
        seen.push(cursor)
        await new Promise((resolve) => setTimeout(resolve, 30))
        const at = cursor === null ? 0 : Number(cursor)
        return at + 1 >= batches ? null : String(at + 1)
      },
    }
    return { loop, seen }
  }

  it('stops at the budget and resumes from the saved cursor on the next tick', async () => {
    const name = `resume-${crypto.randomUUID().slice(0, 8)}`
    const { loop, seen } = counting(name, 10)
    const first = await runLoops({ store: store(), loops: [loop], holder: 'a', budgetMs: 100, logger })
    expect(first[0]).toMatchObject({ outcome: 'paused' })
    const steps = first[0]!.steps
    expect(steps).toBeGreaterThan(0)
    expect(steps).toBeLessThan(10)
    // Another isolate goes on where the first stopped.
    const second = await runLoops({ store: store(), loops: [loop], holder: 'b', budgetMs: 10_000, logger })
    expect(second[0]).toMatchObject({ outcome: 'completed', steps: 10 - steps })
    expect(seen).toEqual([null, ...Array.from({ length: 9 }, (_, i) => String(i + 1))])
  })

  it('skips a loop that is not due and one whose lease another holder has', async () => {
    const name = `due-${crypto.randomUUID().slice(0, 8)}`
    const { loop } = counting(name, 1, 60_000)
    const s = store()
    expect(
      (await runLoops({ store: s, loops: [loop], holder: 'a', budgetMs: 5_000, logger }))[0],
    ).toMatchObject({
      outcome: 'completed',
    })
    expect(
      (await runLoops({ store: s, loops: [loop], holder: 'a', budgetMs: 5_000, logger }))[0],
    ).toMatchObject({
      outcome: 'not-due',
    })
    const other = counting(`held-${crypto.randomUUID().slice(0, 8)}`, 1).loop
    expect(await s.tryAcquireLease(`loop:${other.name}`, 'someone-else', 60_000, new Date())).toBe(true)
    expect(
      (await runLoops({ store: s, loops: [other], holder: 'a', budgetMs: 5_000, logger }))[0],
    ).toMatchObject({
      outcome: 'held-elsewhere',
    })
  })

  it('keeps the cursor of a failed step, so the next tick retries it', async () => {
    const name = `fail-${crypto.randomUUID().slice(0, 8)}`
    let fail = true
    const seen: Array<string | null> = []
    const loop: Loop = {
      name,
      everyMs: 0,
      async step(cursor) {
        seen.push(cursor)
        if (cursor === '1' && fail) throw new Error('backend down')
        return cursor === null ? '1' : null
      },
    }
    const s = store()
    expect(
      (await runLoops({ store: s, loops: [loop], holder: 'a', budgetMs: 5_000, logger }))[0],
    ).toMatchObject({
      outcome: 'failed',
      steps: 1,
    })
    fail = false
    expect(
      (await runLoops({ store: s, loops: [loop], holder: 'a', budgetMs: 5_000, logger }))[0],
    ).toMatchObject({
      outcome: 'completed',
    })
    expect(seen).toEqual([null, '1', '1'])
  })
})
