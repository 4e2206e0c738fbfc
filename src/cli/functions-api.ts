/**
 * @module
 * Function writes as faas-cli makes them (contract §6.2): deploy is PUT, then POST when the PUT finds no
 * such function (404); remove is DELETE with the name and namespace in the body and the query (old and
 * new providers read one or the other).
 */
import type { FunctionDeployment, FunctionStatus } from '../contract/types.ts'
import type { GatewayClient } from './client.ts'

export async function upsertFunction(
  client: GatewayClient,
  deployment: FunctionDeployment,
): Promise<'created' | 'updated'> {
  const put = await client.request('PUT', '/system/functions', {
    json: deployment,
    allow: [404],
    query: { namespace: deployment.namespace },
  })
  if (put.status !== 404) {
    await put.body?.cancel()
    return 'updated'
  }
  await put.body?.cancel()
  const post = await client.request('POST', '/system/functions', {
    json: deployment,
    query: { namespace: deployment.namespace },
  })
  await post.body?.cancel()
  return 'created'
}

export async function removeFunction(client: GatewayClient, name: string, namespace?: string): Promise<void> {
  const response = await client.request('DELETE', '/system/functions', {
    json: { functionName: name, ...(namespace ? { namespace } : {}) },
    query: { namespace },
  })
  await response.body?.cancel()
}

export function listFunctions(client: GatewayClient, namespace?: string): Promise<FunctionStatus[]> {
  return client.json<FunctionStatus[]>('GET', '/system/functions', { query: { namespace } })
}
