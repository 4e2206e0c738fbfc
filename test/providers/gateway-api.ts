/**
 * @module
 * The few OpenFaaS API calls the lifecycle tests make against a real gateway (test/harness/node-gateway.ts):
 * deploy, update, scale, and waiting for available replicas.
 */
import { expect } from 'vitest'
import type { TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

export interface GatewayApi {
  deploy(body: Record<string, unknown>): Promise<void>
  update(body: Record<string, unknown>): Promise<void>
  scale(name: string, replicas: number): Promise<void>
  /** The desired replica count the gateway reports. */
  replicas(name: string): Promise<number>
  /** The available replicas the gateway reports. */
  available(name: string): Promise<number>
  /** Waits until the function reports at least `count` available replicas. */
  waitAvailable(name: string, count?: number): Promise<void>
}

export function gatewayApi(g: TestGateway): GatewayApi {
  const headers = {
    authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`,
    'content-type': 'application/json',
  }
  async function send(method: string, path: string, body: unknown): Promise<void> {
    const res = await fetch(`${g.url}${path}`, { method, headers, body: JSON.stringify(body) })
    expect(res.status, `${method} ${path}: ${await res.text()}`).toBe(202)
  }
  async function status(name: string): Promise<{ replicas?: number; availableReplicas?: number }> {
    const res = await fetch(`${g.url}/system/function/${name}`, { headers })
    return (await res.json()) as { replicas?: number; availableReplicas?: number }
  }
  return {
    deploy: (body) => send('POST', '/system/functions', body),
    update: (body) => send('PUT', '/system/functions', body),
    scale: (name, replicas) =>
      send('POST', `/system/scale-function/${name}`, { serviceName: name, replicas }),
    replicas: async (name) => (await status(name)).replicas ?? 0,
    available: async (name) => (await status(name)).availableReplicas ?? 0,
    waitAvailable: (name, count = 1) =>
      pollUntil(
        `${name} to have ${count} available replica(s)`,
        async () => ((await status(name)).availableReplicas ?? 0) >= count,
      ),
  }
}
