/**
 * Passive health of one backend as a state machine on a hand-driven clock: ejection after failures in a
 * row, back-off doubling to its cap, one trial at a time when half-open, probes extending or ending an
 * ejection, and results of calls sent before an ejection ignored.
 */
import { describe, expect, it } from 'vitest'
import { BackendHealth } from '../../src/routing/health.ts'

const options = { failureThreshold: 3, baseEjectionMs: 1000, maxEjectionMs: 8000 }

function ejected(at = 0): BackendHealth {
  const h = new BackendHealth(options)
  h.failed('normal', at, 'x')
  h.failed('normal', at, 'x')
  expect(h.failed('normal', at, 'refused')).toBe('ejected')
  return h
}

describe('BackendHealth', () => {
  it('ejects after the threshold of failures in a row; a success in between resets the count', () => {
    const h = new BackendHealth(options)
    expect(h.failed('normal', 0, 'x')).toBeNull()
    expect(h.failed('normal', 0, 'x')).toBeNull()
    expect(h.succeeded('normal', 0)).toBeNull()
    expect(h.failed('normal', 0, 'x')).toBeNull()
    expect(h.failed('normal', 0, 'x')).toBeNull()
    expect(h.peek(0)).toBe('normal')
    expect(h.failed('normal', 0, 'refused')).toBe('ejected')
    expect(h.peek(0)).toBeNull()
    expect(h.snapshot()).toMatchObject({ state: 'ejected', ejectedUntil: 1000, lastError: 'refused' })
  })

  it('is half-open once the back-off has passed, and lets one trial through at a time', () => {
    const h = ejected()
    expect(h.peek(999)).toBeNull()
    expect(h.peek(1000)).toBe('trial')
    h.admit('trial')
    expect(h.peek(1001)).toBeNull()
    h.released('trial') // the trial told nothing (caller left): the slot is free again
    expect(h.peek(1002)).toBe('trial')
  })

  it('re-admits on a successful trial', () => {
    const h = ejected()
    expect(h.peek(1000)).toBe('trial')
    h.admit('trial')
    expect(h.succeeded('trial', 1010)).toBe('readmitted')
    expect(h.peek(1011)).toBe('normal')
  })

  it('doubles the back-off on each failed trial, up to the cap', () => {
    const h = ejected()
    let t = 0
    const lengths: number[] = []
    for (let i = 0; i < 5; i++) {
      const until = h.snapshot().ejectedUntil ?? 0
      lengths.push(until - t)
      t = until
      expect(h.peek(t)).toBe('trial')
      h.admit('trial')
      expect(h.failed('trial', t, 'refused')).toBe('ejected')
    }
    expect(lengths).toEqual([1000, 2000, 4000, 8000, 8000])
  })

  it('starts from the base back-off again after staying healthy for the longest back-off', () => {
    const h = ejected()
    h.peek(1000)
    h.admit('trial')
    h.succeeded('trial', 1000)
    // Re-ejected soon after: the back-off keeps growing.
    for (let i = 0; i < 3; i++) h.failed('normal', 2000, 'x')
    expect(h.snapshot().ejectedUntil).toBe(4000)
    h.peek(4000)
    h.admit('trial')
    h.succeeded('trial', 4000)
    h.succeeded('normal', 4000 + 8000)
    for (let i = 0; i < 3; i++) h.failed('normal', 13_000, 'x')
    expect(h.snapshot().ejectedUntil).toBe(14_000)
  })

  it('ignores late results of calls sent before the ejection', () => {
    const h = ejected()
    expect(h.succeeded('normal', 10)).toBeNull()
    expect(h.failed('normal', 10, 'late')).toBeNull()
    expect(h.snapshot()).toMatchObject({ state: 'ejected', ejectedUntil: 1000 })
  })

  it('re-admits on a call made in panic that answered, and re-ejects on one that failed', () => {
    const h = ejected()
    expect(h.succeeded('panic', 10)).toBe('readmitted')
    const g = ejected()
    expect(g.failed('panic', 10, 'still down')).toBe('ejected')
    expect(g.snapshot().ejectedUntil).toBe(10 + 2000)
  })

  it('extends an ejection while probes fail, and half-opens at once when one passes again', () => {
    const h = ejected()
    expect(h.wantsProbe()).toBe(true)
    h.probed(false, 500, 'refused')
    expect(h.snapshot().ejectedUntil).toBe(500 + 2000)
    h.probed(false, 900, 'refused')
    expect(h.snapshot().ejectedUntil).toBe(900 + 4000)
    h.probed(true, 1500)
    expect(h.peek(1500)).toBe('trial')
  })

  it('keeps the back-off when probes pass but calls fail (the backend is up, the calls are not served)', () => {
    const h = ejected()
    h.probed(true, 200)
    expect(h.peek(200)).toBeNull()
    expect(h.peek(1000)).toBe('trial')
  })

  it('wants no probe while healthy or half-open', () => {
    const h = new BackendHealth(options)
    expect(h.wantsProbe()).toBe(false)
    const g = ejected()
    g.peek(1000)
    expect(g.wantsProbe()).toBe(false)
  })
})
