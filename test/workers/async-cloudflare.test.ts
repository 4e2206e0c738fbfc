// Async calls on the Worker over Cloudflare Queues, end to end: POST /async-function on the Worker goes
// out through the CALLS producer, comes back to the Worker's queue() handler, runs the function on a Node
// edgefaas backend, and posts the callback to a receiver on Node. A function that always fails ends in
// our dead-letter list (retries through Cloudflare's retry delay), and replays once fixed.
import { SELF } from 'cloudflare:test'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { api, callbacksOf, deployFlaky, registerNodeBackend, until } from './helpers.ts'

describe('async calls on the Worker through Cloudflare Queues', () => {
  let selector: string

  beforeAll(async () => {
    ;({ selector } = await registerNodeBackend())
  }, 60_000)

  const submit = async (name: string, body: string): Promise<string> => {
    const { callbacks } = inject('workerdBackends')
    const res = await SELF.fetch(`http://gateway.test/async-function/${name}`, {
      method: 'POST',
      headers: { 'x-callback-url': callbacks.url },
      body,
    })
    expect(res.status, await res.text()).toBe(202)
    const id = res.headers.get('x-call-id')
    expect(id).toBeTruthy()
    return id!
  }

  it('reaches the function on the Node backend and its callback arrives', async () => {
    const name = `cfq-ok-${crypto.randomUUID().slice(0, 6)}`
    await deployFlaky(name, selector, '0')
    const id = await submit(name, 'hello over queues')
    await until('the callback', async () => (await callbacksOf(id)).length > 0)
    const [callback] = await callbacksOf(id)
    expect(callback!.headers['x-function-status']).toBe('200')
    expect(callback!.headers['x-function-name']).toBe(`${name}.openfaas-fn`)
    expect(callback!.body).toBe('hello over queues')
    const call = (await (await api('GET', `/system/calls/${id}`)).json()) as { status: string }
    expect(call.status).toBe('succeeded')
  }, 60_000)

  it('retries through Cloudflare, dead-letters a call that always fails, and replays it', async () => {
    const name = `cfq-dead-${crypto.randomUUID().slice(0, 6)}`
    await deployFlaky(name, selector, 'always')
    const id = await submit(name, 'doomed')
    const dead = async () =>
      (
        (await (await api('GET', `/system/dead-letters?function=${name}`)).json()) as {
          items: Array<{ id: string; lastStatus: number; attempts: number }>
        }
      ).items
    await until('the dead letter', async () => (await dead()).length === 1, 30_000)
    // Two retries after the first try: three deliveries, the last two through message.retry().
    expect(await dead()).toMatchObject([{ id, lastStatus: 500, attempts: 3 }])
    const call = (await (await api('GET', `/system/calls/${id}`)).json()) as { status: string }
    expect(call.status).toBe('dead')
    await until('the failure callback', async () => (await callbacksOf(id)).length > 0)
    expect((await callbacksOf(id))[0]!.headers['x-function-status']).toBe('500')

    await deployFlaky(name, selector, '0', 'PUT')
    // The rolling update keeps the failing replica serving until the new one is ready.
    let streak = 0
    await until('the fixed version to serve', async () => {
      const res = await SELF.fetch(`http://gateway.test/function/${name}`, { method: 'POST', body: 'probe' })
      await res.arrayBuffer()
      streak = res.status === 200 ? streak + 1 : 0
      return streak >= 3
    })
    const replay = await api('POST', `/system/dead-letters/${id}/replay`)
    expect(replay.status, await replay.text()).toBe(202)
    await until('the replayed callback', async () =>
      (await callbacksOf(id)).some((c) => c.headers['x-function-status'] === '200'),
    )
    expect(await dead()).toEqual([])
  }, 90_000)
})
