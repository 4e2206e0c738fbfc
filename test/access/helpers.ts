/**
 * Helpers for the access-control tests: admin requests, token creation and function deploys against a
 * real Node gateway (test/harness/node-gateway.ts).
 */
import { expect } from 'vitest'
import type { TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

export const basic = (g: TestGateway) => `Basic ${btoa(`${g.user}:${g.password}`)}`

export function admin(g: TestGateway, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${g.url}${path}`, {
    method,
    headers: { authorization: basic(g), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

export function withToken(
  g: TestGateway,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${g.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
}

export async function createToken(
  g: TestGateway,
  request: Record<string, unknown>,
): Promise<{ id: string; token: string }> {
  const response = await admin(g, 'POST', '/system/tokens', { name: 'test', ...request })
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()) as { id: string; token: string }
}

export async function createNamespace(g: TestGateway, name: string): Promise<void> {
  const response = await admin(g, 'POST', '/system/namespace/', { name, labels: { openfaas: '1' } })
  expect([200, 201, 202]).toContain(response.status)
}

/** Deploys a `cat` function (echoes its body) and waits until it answers. */
export async function deployEcho(
  g: TestGateway,
  name: string,
  namespace: string,
  annotations: Record<string, string> = {},
  envProcess = 'cat',
): Promise<void> {
  const response = await admin(g, 'POST', '/system/functions', {
    service: name,
    namespace,
    image: 'functions/alpine',
    envProcess,
    annotations,
  })
  expect(response.status, await response.clone().text()).toBe(202)
  await pollUntil(`${name}.${namespace} to be ready`, async () => {
    const status = await admin(g, 'GET', `/system/function/${name}?namespace=${namespace}`)
    if (status.status !== 200) return false
    return ((await status.json()) as { availableReplicas: number }).availableReplicas > 0
  })
}
