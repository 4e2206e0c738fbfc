/**
 * The shared deadline lists (src/invoke/deadlines.ts) that keep every call's timeout on Node: a
 * deadline fires once, no earlier than its time, unless cancelled; calls of one timeout share a list.
 */
import { describe, expect, it } from 'vitest'
import { type Deadlines, perCallDeadlines, SharedDeadlines } from '../../src/invoke/deadlines.ts'
import { pollUntil } from '../harness/poll.ts'

/** A target recording when it expired (performance.now()), and how often. */
function recorder() {
  const fired: number[] = []
  return { fired, target: { expire: () => void fired.push(performance.now()) } }
}

describe.each([
  ['SharedDeadlines', () => new SharedDeadlines()],
  ['perCallDeadlines', () => perCallDeadlines],
] as Array<[string, () => Deadlines]>)('%s', (_name, make) => {
  it('fires once, not before its time', async () => {
    const deadlines = make()
    const { fired, target } = recorder()
    const started = performance.now()
    deadlines.after(40, target)
    await pollUntil('the deadline to fire', async () => fired.length > 0, 5_000, 5)
    // setTimeout's own tolerance: a timer may run up to a millisecond early by performance.now().
    expect(fired[0]! - started).toBeGreaterThanOrEqual(39)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(fired).toHaveLength(1)
  })

  it('a cancelled deadline never fires, and the others of its list still do', async () => {
    const deadlines = make()
    const cancelled = recorder()
    const kept = recorder()
    const first = deadlines.after(20, cancelled.target)
    deadlines.after(20, kept.target)
    const last = deadlines.after(20, cancelled.target)
    first.cancel()
    last.cancel()
    last.cancel() // twice is harmless
    await pollUntil('the kept deadline to fire', async () => kept.fired.length > 0, 5_000, 5)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(cancelled.fired).toHaveLength(0)
    expect(kept.fired).toHaveLength(1)
  })
})

describe('SharedDeadlines', () => {
  it('fires deadlines of one timeout in the order they started, and other timeouts by their own time', async () => {
    const deadlines = new SharedDeadlines()
    const order: string[] = []
    deadlines.after(60, { expire: () => void order.push('long') })
    for (const name of ['a', 'b', 'c']) deadlines.after(20, { expire: () => void order.push(name) })
    expect(deadlines.size).toBe(2)
    await pollUntil('every deadline to fire', async () => order.length === 4, 5_000, 5)
    expect(order).toEqual(['a', 'b', 'c', 'long'])
    // A list goes when its last deadline has: timeout values seen once do not pile up.
    expect(deadlines.size).toBe(0)
  })

  it('a head cancelled before its time lets the next one fire at its own time, not the head’s', async () => {
    const deadlines = new SharedDeadlines()
    const early = recorder()
    const later = recorder()
    const head = deadlines.after(30, early.target)
    await new Promise((resolve) => setTimeout(resolve, 15))
    const started = performance.now()
    deadlines.after(30, later.target)
    head.cancel()
    await pollUntil('the second deadline to fire', async () => later.fired.length > 0, 5_000, 5)
    expect(later.fired[0]! - started).toBeGreaterThanOrEqual(29)
    expect(early.fired).toHaveLength(0)
  })

  it('a target that throws does not stop the others of its list from expiring', async () => {
    const deadlines = new SharedDeadlines()
    const kept = recorder()
    deadlines.after(10, {
      expire: () => {
        throw new Error('boom')
      },
    })
    deadlines.after(10, kept.target)
    await pollUntil('the second deadline to fire', async () => kept.fired.length > 0, 5_000, 5)
  })

  it('a deadline started from inside an expiring one is kept', async () => {
    const deadlines = new SharedDeadlines()
    const second = recorder()
    deadlines.after(10, { expire: () => void deadlines.after(10, second.target) })
    await pollUntil('the deadline started on expiry to fire', async () => second.fired.length > 0, 5_000, 5)
  })
})
