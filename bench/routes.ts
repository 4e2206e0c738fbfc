/**
 * `node bench/routes.ts` (part of `npm run bench:routes`): route lookups as the number of functions
 * grows from 10 to 100,000, on the embedded SQLite store the gateway runs on, through the same route
 * cache (src/routing/route-cache.ts) the invocation pipeline uses:
 *   hot     — one function called over and over (the steady state of a busy function): a Map hit
 *   spread  — 10,000 distinct functions called in turn (the cache's capacity): Map hits
 *   miss    — a random function of all N with the cache cleared first: one primary-key query each
 * Prints nanoseconds or microseconds per lookup for each N.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRouteCache } from '../src/routing/route-cache.ts'
import { openStore } from '../src/runtime/node/open-store.ts'
import { runBench } from './lib.ts'

const SIZES = [10, 1_000, 100_000]
const NS = 'openfaas-fn'

async function main(): Promise<void> {
  console.log('| functions | hot ns/lookup | spread (10k names) ns/lookup | miss µs/lookup (SQL) |')
  console.log('|---:|---:|---:|---:|')
  for (const size of SIZES) {
    const dir = await mkdtemp(join(tmpdir(), 'edgefaas-bench-routes-'))
    const { store, close } = await openStore('', dir)
    for (let i = 0; i < size; i++) {
      await store.createFunction({
        namespace: NS,
        name: `fn-${i}`,
        spec: { image: 'x', envProcess: 'cat' },
        replicas: 1,
        placement: ['local'],
      })
    }
    const cache = createRouteCache(store, 60_000)
    const hotName = `fn-${size - 1}`
    await cache.get(NS, hotName)
    const hotN = 1_000_000
    let t = performance.now()
    for (let i = 0; i < hotN; i++) await cache.get(NS, hotName)
    const hot = ((performance.now() - t) * 1e6) / hotN

    const distinct = Math.min(size, 10_000)
    for (let i = 0; i < distinct; i++) await cache.get(NS, `fn-${i}`)
    const spreadN = 1_000_000
    t = performance.now()
    for (let i = 0; i < spreadN; i++) await cache.get(NS, `fn-${i % distinct}`)
    const spread = ((performance.now() - t) * 1e6) / spreadN

    const missN = 5_000
    cache.clear()
    t = performance.now()
    for (let i = 0; i < missN; i++) {
      cache.clear()
      await cache.get(NS, `fn-${Math.floor(Math.random() * size)}`)
    }
    const miss = ((performance.now() - t) * 1e3) / missN
    console.log(
      `| ${size.toLocaleString('en')} | ${hot.toFixed(0)} | ${spread.toFixed(0)} | ${miss.toFixed(1)} |`,
    )
    await close()
    await rm(dir, { recursive: true, force: true })
  }
}

runBench(main)
