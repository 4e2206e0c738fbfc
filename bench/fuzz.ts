/**
 * `npm run bench:fuzz`: the fuzz suite's long mode, 100,000 requests (BENCH_FUZZ_RUNS) over every endpoint
 * of a real gateway, in process through its one door (test/harness/fuzz-requests.ts generates them and
 * states the property: always answered, within 10 s, no 500, no other 5xx outside invocation paths).
 * Prints the count, the failures (the first ten, and fast-check's seed to replay them) and the time.
 */
import fc from 'fast-check'
import { hashSecret, newToken } from '../src/access/tokens.ts'
import { generateSecretsKey } from '../src/store/cipher.ts'
import { checkOne, type FuzzFailure, type FuzzTarget, fuzzRequest } from '../test/harness/fuzz-requests.ts'
import { createMemoryProvider } from '../test/harness/memory-provider.ts'
import { startTestGateway } from '../test/harness/node-gateway.ts'
import { runBench } from './lib.ts'

const RUNS = Number(process.env.BENCH_FUZZ_RUNS ?? 100_000)

runBench(async () => {
  const g = await startTestGateway(
    {
      EDGEFAAS_DEFAULT_BACKEND: 'memory',
      EDGEFAAS_SECRETS_KEY: generateSecretsKey(),
      EDGEFAAS_LOG_LEVEL: 'error',
    },
    { providers: { memory: createMemoryProvider('shared') } },
  )
  try {
    const auth = `Basic ${btoa(`${g.user}:${g.password}`)}`
    await g.request('/system/namespace/', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'team-a' }),
    })
    const credentials = [auth]
    for (const scopes of [['read'], ['deploy'], ['secrets'], ['invoke'], ['admin']]) {
      const made = newToken()
      await g.deps.store.createApiToken({
        id: made.id,
        name: `fuzz-${scopes[0]}`,
        secretHash: await hashSecret(made.secret),
        scopes,
        namespaces: scopes[0] === 'deploy' ? ['team-a'] : ['*'],
        functions: null,
        createdAt: new Date(),
        expiresAt: null,
        revokedAt: null,
      })
      credentials.push(`Bearer ${made.token}`)
    }
    const target: FuzzTarget = {
      routes: g.app.routes
        .filter((r) => r.path !== '*' && r.path !== '/*')
        .map((r) => ({ method: r.method, path: r.path })),
      credentials,
      send: (path, init) => g.request(path, init),
    }
    const failures: FuzzFailure[] = []
    const seed = Number(process.env.BENCH_FUZZ_SEED ?? Date.now() % 2 ** 31)
    const started = performance.now()
    let sent = 0
    await fc.assert(
      fc.asyncProperty(fuzzRequest(target), async (request) => {
        sent++
        const failure = await checkOne(target, request, 10_000)
        if (failure) failures.push(failure)
        // Keep going after a failure: the run reports them all instead of shrinking the first.
        return true
      }),
      { numRuns: RUNS, seed, endOnFailure: true },
    )
    const seconds = (performance.now() - started) / 1000
    console.log(
      JSON.stringify({
        requests: sent,
        failures: failures.length,
        seed,
        seconds: Number(seconds.toFixed(1)),
        perSecond: Math.round(sent / seconds),
        firstFailures: failures.slice(0, 10),
      }),
    )
    if (failures.length > 0) process.exitCode = 1
  } finally {
    await g.close()
  }
})
