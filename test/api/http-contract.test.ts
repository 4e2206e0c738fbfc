/**
 * The HTTP contract suite on Node, twice: in-process through the gateway's one door (`request`, no socket) and over a real socket.
 */
import { afterAll } from 'vitest'
import { runHttpContractSuite } from '../conformance/http-contract.suite.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { startPostgres } from '../harness/postgres.ts'

const gateways: TestGateway[] = []
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()))
})

runHttpContractSuite('node in-process', async () => {
  const g = await startTestGateway()
  gateways.push(g)
  return {
    fetch: async (path, init) => g.request(path, init),
    credentials: { user: g.user, password: g.password },
    runsFunctions: true,
  }
})

runHttpContractSuite('node server', async () => {
  const g = await startTestGateway()
  gateways.push(g)
  return {
    // Raw paths must reach the server unnormalised, so no URL object is built from them.
    fetch: (path, init) => fetch(`${g.url}${path}`, init),
    credentials: { user: g.user, password: g.password },
    runsFunctions: true,
  }
})

runHttpContractSuite('node server on PostgreSQL', async () => {
  const pg = await startPostgres()
  const g = await startTestGateway({ EDGEFAAS_DATABASE_URL: pg.url })
  gateways.push({ ...g, close: () => g.close().finally(() => pg.stop()) })
  return {
    fetch: (path, init) => fetch(`${g.url}${path}`, init),
    credentials: { user: g.user, password: g.password },
    runsFunctions: true,
  }
})
