/**
 * The fuzz suite in the normal run: a few hundred property-based requests over every endpoint of a real
 * gateway (test/harness/fuzz-requests.ts says what is generated and what must hold). `npm run bench:fuzz`
 * runs 100,000; docs/security.md records that run. FUZZ_RUNS and FUZZ_SEED reproduce a failure.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generateSecretsKey } from '../../src/store/cipher.ts'
import { checkOne, type FuzzTarget, fuzzRequest } from '../harness/fuzz-requests.ts'
import { createMemoryProvider } from '../harness/memory-provider.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { basic, createNamespace, createToken } from './helpers.ts'

let g: TestGateway
let target: FuzzTarget

beforeAll(async () => {
  g = await startTestGateway(
    { EDGEFAAS_DEFAULT_BACKEND: 'memory', EDGEFAAS_SECRETS_KEY: generateSecretsKey() },
    { providers: { memory: createMemoryProvider('shared') } },
  )
  await createNamespace(g, 'team-a')
  const tokens = await Promise.all(
    [['read'], ['deploy'], ['secrets'], ['invoke'], ['admin']].map((scopes) =>
      createToken(g, { scopes, namespaces: scopes[0] === 'deploy' ? ['team-a'] : ['*'] }),
    ),
  )
  target = {
    routes: g.app.routes
      .filter((r) => r.path !== '*' && r.path !== '/*')
      .map((r) => ({ method: r.method, path: r.path })),
    credentials: [basic(g), ...tokens.map((t) => `Bearer ${t.token}`)],
    send: (path, init) => g.request(path, init),
  }
}, 60_000)
afterAll(async () => g?.close())

it('answers every fuzzed request, in time, without a server error', async () => {
  const failures: unknown[] = []
  await fc
    .assert(
      fc.asyncProperty(fuzzRequest(target), async (request) => {
        const failure = await checkOne(target, request, 10_000)
        if (failure) failures.push(failure)
        return failure === null
      }),
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 1000),
        ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
      },
    )
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\nfirst failure: ${JSON.stringify(failures[0])}`)
    })
  expect(failures).toEqual([])
}, 120_000)
