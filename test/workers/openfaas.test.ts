// The openfaas provider inside workerd, through the workerd HttpClient (global fetch), against a real
// edgefaas gateway on Node started by test/harness/workerd-backends.ts: deploy, invoke, remove.
import { describe, expect, inject, it } from 'vitest'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import { createFetchHttpClient } from '../../src/runtime/workers/http-client.ts'
import type {} from '../harness/provided-context.ts'

describe('openfaas provider in workerd', () => {
  it('deploys to a Node edgefaas, invokes with a streamed body, and removes', async () => {
    const { edgefaas } = inject('workerdBackends')
    const provider = createOpenFaasProvider({
      url: edgefaas.url,
      credentials: { username: edgefaas.user, password: edgefaas.password },
      http: createFetchHttpClient(),
    })
    expect((await provider.info()).provider).toBe('edgefaas')
    const name = `workerd-${crypto.randomUUID().slice(0, 8)}`
    const observed = await provider.apply({
      name,
      namespace: 'openfaas-fn',
      spec: { image: 'functions/alpine:latest', envProcess: 'cat' },
      replicas: 1,
      generation: 1,
      secrets: {},
    })
    expect(observed.replicas).toBe(1)
    const deadline = Date.now() + 20_000
    while ((await provider.status('openfaas-fn', name))?.availableReplicas !== 1) {
      if (Date.now() > deadline) throw new Error('the function did not become ready')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const payload = new TextEncoder().encode('x'.repeat(200_000))
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < payload.length; i += 50_000) controller.enqueue(payload.slice(i, i + 50_000))
        controller.close()
      },
    })
    const response = await provider.invoke('openfaas-fn', name, '/', {
      method: 'POST',
      headers: new Headers({ 'content-type': 'text/plain' }),
      body,
      signal: new AbortController().signal,
    })
    expect(response.status).toBe(200)
    expect((await response.text()).length).toBe(payload.length)
    await provider.remove('openfaas-fn', name)
    expect(await provider.status('openfaas-fn', name)).toBeNull()
  })
})
