/**
 * `POST /system/alert` (contract §5.1): AlertManager's webhook raises a function by CE's step and
 * resolved returns it to min; the body is validated, the route sits behind the /system auth, and every
 * change lands in the scaling history at `/system/functions/{name}/scaling`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

let g: TestGateway
let auth: Record<string, string>

beforeAll(async () => {
  g = await startTestGateway({ EDGEFAAS_AUTOSCALE_INTERVAL: '1s' })
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      service: 'alerted',
      image: 'x',
      envProcess: 'cat',
      // CE's step: ceil(10 × 20 / 100) = 2
      labels: {
        'com.openfaas.scale.min': '1',
        'com.openfaas.scale.max': '10',
        'com.openfaas.scale.factor': '20',
      },
    }),
  })
  expect(res.status).toBe(202)
})
afterAll(() => g.close())

/** AlertManager's webhook body, as its `webhook_configs` send it (send_resolved: true). */
function webhook(status: 'firing' | 'resolved', functionName = 'alerted.openfaas-fn') {
  return {
    receiver: 'scale-up',
    status,
    alerts: [
      {
        status,
        labels: {
          alertname: 'APIHighInvocationRate',
          function_name: functionName,
          service: 'gateway',
          severity: 'major',
        },
        annotations: {
          description: `High invocation total on "${functionName}"`,
          summary: 'High invocation',
        },
        startsAt: '2026-12-01T07:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
      },
    ],
    groupLabels: { alertname: 'APIHighInvocationRate', service: 'gateway' },
    commonLabels: { alertname: 'APIHighInvocationRate' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="APIHighInvocationRate"}',
  }
}

const post = (body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${g.url}/system/alert`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

async function replicas(): Promise<number> {
  const res = await fetch(`${g.url}/system/function/alerted`, { headers: auth })
  return ((await res.json()) as { replicas?: number }).replicas ?? 0
}

describe('/system/alert', () => {
  it('firing raises replicas by the CE step; again steps again up to max; resolved returns to min', async () => {
    expect(await replicas()).toBe(1)
    const first = await post(webhook('firing'))
    expect(first.status, await first.text()).toBe(200)
    expect(await replicas()).toBe(3)
    await pollUntil('3 ready replicas', async () => {
      const res = await fetch(`${g.url}/system/function/alerted`, { headers: auth })
      return ((await res.json()) as { availableReplicas?: number }).availableReplicas === 3
    })
    expect((await post(webhook('firing'))).status).toBe(200)
    expect(await replicas()).toBe(5)
    // The autoscaler, seeing no load on this CE-rule function, leaves what the alert did alone: once a
    // tick has seen 5 (its gauges say so), 5 it stays.
    await pollUntil('an autoscale tick to see 5 replicas', async () => {
      const metrics = await (await fetch(`${g.url}/metrics`, { headers: auth })).text()
      return metrics.includes('edgefaas_autoscale_desired_replicas{function_name="alerted.openfaas-fn"} 5')
    })
    const metrics = await (await fetch(`${g.url}/metrics`, { headers: auth })).text()
    expect(metrics).toContain('edgefaas_autoscale_ready_replicas{function_name="alerted.openfaas-fn"}')
    expect(metrics).toContain(
      'edgefaas_autoscale_decisions_total{function_name="alerted.openfaas-fn",direction="up"} 2',
    )
    expect(await replicas()).toBe(5)
    expect((await post(webhook('resolved'))).status).toBe(200)
    expect(await replicas()).toBe(1)

    const history = (await (
      await fetch(`${g.url}/system/functions/alerted/scaling`, { headers: auth })
    ).json()) as {
      decisions: Array<{ from: number; to: number; inputs: { mode: string } }>
    }
    expect(history.decisions.map((d) => [d.from, d.to])).toEqual([
      [5, 1],
      [3, 5],
      [1, 3],
    ])
    expect(history.decisions.every((d) => d.inputs.mode === 'alertmanager')).toBe(true)
    const limited = (await (
      await fetch(`${g.url}/system/functions/alerted/scaling?limit=1`, { headers: auth })
    ).json()) as {
      decisions: unknown[]
    }
    expect(limited.decisions).toHaveLength(1)
  })

  it('is behind the /system auth', async () => {
    expect((await post(webhook('firing'), {})).status).toBe(401)
    expect((await post(webhook('firing'), { authorization: `Basic ${btoa('admin:wrong')}` })).status).toBe(
      401,
    )
    expect((await fetch(`${g.url}/system/functions/alerted/scaling`)).status).toBe(401)
    expect(await replicas()).toBe(1)
  })

  it.each([
    ['not JSON', '{"alerts": ['],
    ['no alerts', { status: 'firing' }],
    ['empty alerts', { status: 'firing', alerts: [] }],
    ['no function_name', { alerts: [{ status: 'firing', labels: { alertname: 'x' } }] }],
    ['a bad status', { alerts: [{ status: 'burning', labels: { function_name: 'alerted' } }] }],
    ['alerts not a list', { alerts: { status: 'firing' } }],
  ])('refuses %s with 400 and changes nothing', async (_, body) => {
    const res = await post(body)
    expect(res.status).toBe(400)
    expect(await res.text()).not.toBe('')
    expect(await replicas()).toBe(1)
  })

  it('answers 404 naming an unknown function, and applies the other alerts of the batch', async () => {
    const body = webhook('firing', 'missing')
    body.alerts.push(webhook('firing', 'alerted').alerts[0] as (typeof body.alerts)[number])
    const res = await post(body)
    expect(res.status).toBe(404)
    expect(await res.text()).toBe('[0] function "missing" not found in namespace "openfaas-fn"\n')
    expect(await replicas()).toBe(3)
    expect((await post(webhook('resolved', 'alerted'))).status).toBe(200)
  })

  it('scaling history: 404 for an unknown function, 400 for a bad limit', async () => {
    expect((await fetch(`${g.url}/system/functions/nope/scaling`, { headers: auth })).status).toBe(404)
    expect((await fetch(`${g.url}/system/functions/alerted/scaling?limit=x`, { headers: auth })).status).toBe(
      400,
    )
  })
})
