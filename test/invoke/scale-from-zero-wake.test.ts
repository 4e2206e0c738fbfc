/**
 * A call held at zero goes as soon as the backend says a replica turned ready (Provider.onReady), not at
 * the next status poll: with a poll of a minute, the wait must still end right after the event.
 */
import { describe, expect, it } from 'vitest'
import type { Provider } from '../../providers/types.ts'
import { createScaleFromZero, type ScaleFromZeroDeps } from '../../src/invoke/scale-from-zero.ts'
import type { FunctionRecord } from '../../src/store/types.ts'

function fixture() {
  const fn = {
    namespace: 'openfaas-fn',
    name: 'cold',
    replicas: 0,
    spec: { labels: {} },
    placement: ['local'],
  } as unknown as FunctionRecord
  let ready = false
  const listeners = new Set<() => void>()
  const provider = {
    status: async () => ({ replicas: 1, availableReplicas: ready ? 1 : 0 }),
    onReady(_namespace: string, _name: string, listener: () => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  } as unknown as Provider
  const deps = {
    store: {
      getFunction: async () => fn,
      setReplicas: async () => fn,
      listDeployments: async () => [],
    },
    providers: { get: () => provider },
    reconciler: { reconcileFunction: async () => {} },
    routes: { invalidate: () => {} },
    timeoutMs: 120_000,
    pollMs: 60_000,
  } as unknown as ScaleFromZeroDeps
  return {
    scaleFromZero: createScaleFromZero(deps),
    fn,
    listeners,
    becomeReady() {
      ready = true
      for (const listener of listeners) listener()
    },
  }
}

describe('scale from zero, woken by the ready event', () => {
  it('ends the wait when the provider says a replica is ready, long before the next poll', async () => {
    const { scaleFromZero, fn, listeners, becomeReady } = fixture()
    const wait = scaleFromZero.waitUntilReady(fn, new AbortController().signal)
    // The first status check has seen no replica; the wait now sleeps (a minute) until woken.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(listeners.size).toBe(1)
    const started = Date.now()
    becomeReady()
    await expect(wait).resolves.toEqual({ ready: ['local'] })
    expect(Date.now() - started).toBeLessThan(5_000)
    // Unsubscribed once over.
    expect(listeners.size).toBe(0)
  })

  it('does not miss a replica that turned ready while its status was being read', async () => {
    const { scaleFromZero, fn, becomeReady } = fixture()
    const wait = scaleFromZero.waitUntilReady(fn, new AbortController().signal)
    // At once: the event may come before the first sleep starts; it must still wake the wait.
    becomeReady()
    await expect(wait).resolves.toEqual({ ready: ['local'] })
  })
})
