// Cron triggers on Workers: `scheduled()` (the Worker's cron trigger) runs the cron scheduler over D1,
// which enqueues each due instant of a `topic: cron-function` function once, however often it runs.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { expect, it } from 'vitest'
import worker, { type Env } from '../../src/runtime/workers/index.ts'

// The test bindings, as the Worker's own Env type sees them.
const bindings = env as unknown as Env

const auth = { authorization: `Basic ${btoa('admin:workerd-test-password')}` }
async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const ctx = createExecutionContext()
  const response = await worker.fetch(
    new Request(`http://gateway.test${path}`, {
      method,
      headers: { ...auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    bindings,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}
async function scheduled(): Promise<void> {
  const ctx = createExecutionContext()
  await worker.scheduled(createScheduledController({ cron: '* * * * *' }), bindings, ctx)
  await waitOnExecutionContext(ctx)
}
type Trigger = {
  function: string
  deliveries: number
  duplicates: number
  scheduler: boolean
  active: boolean
}
async function trigger(name: string): Promise<Trigger | undefined> {
  const listed = (await (await api('GET', '/system/triggers')).json()) as Trigger[]
  return listed.find((t) => t.function === name)
}

it('scheduled() runs the due instants of a cron function once each', async () => {
  const name = `cron-${crypto.randomUUID().slice(0, 8)}`
  const deployed = await api('POST', '/system/functions', {
    service: name,
    image: 'functions/alpine:latest',
    annotations: { topic: 'cron-function', schedule: '* * * * * *' },
  })
  expect(deployed.status, await deployed.clone().text()).toBe(202)

  // Poll with a deadline: the first due instant is the next whole second after the deploy.
  const deadline = Date.now() + 10_000
  let seen = await trigger(name)
  while ((seen?.deliveries ?? 0) < 1 && Date.now() < deadline) {
    await scheduled()
    seen = await trigger(name)
  }
  expect(seen).toMatchObject({ active: true, scheduler: true })
  expect(seen?.deliveries).toBeGreaterThanOrEqual(1)

  // Two runs of the scheduler in a row: the second finds the first one's instants taken (duplicates)
  // or nothing new, never a second call for one instant.
  const before = seen?.deliveries ?? 0
  await Promise.all([scheduled(), scheduled()])
  const after = await trigger(name)
  const elapsedSeconds = Math.ceil((Date.now() - (deadline - 10_000)) / 1000) + 1
  expect(after?.deliveries ?? 0).toBeLessThanOrEqual(elapsedSeconds)
  expect(after?.deliveries ?? 0).toBeGreaterThanOrEqual(before)
}, 30_000)
