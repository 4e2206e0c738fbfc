/**
 * @module
 * The provider conformance suite on the openfaas provider, pointed at a second, real edgefaas gateway
 * (its local provider runs the functions) with basic auth on, through the Node HTTP client.
 */
import { afterAll, beforeAll } from 'vitest'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'
import { runProviderSuite } from '../conformance/provider.suite.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { localDeployable } from './local-helpers.ts'

const http = createNodeHttpClient()
let backend: TestGateway

beforeAll(async () => {
  backend = await startTestGateway()
})

afterAll(async () => {
  http.close()
  await backend?.close()
})

runProviderSuite('openfaas → edgefaas (basic auth)', {
  create: async () =>
    createOpenFaasProvider({
      url: backend.url,
      credentials: { username: backend.user, password: backend.password },
      http,
    }),
  deployable: localDeployable,
})
