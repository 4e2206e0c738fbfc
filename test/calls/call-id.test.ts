/**
 * New call ids: UUIDs of version 7 whose text sorts by creation time, so the store's id indexes take new
 * calls on their rightmost page (src/calls/call-id.ts says why).
 */
import { describe, expect, it } from 'vitest'
import { newCallId } from '../../src/calls/call-id.ts'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('newCallId', () => {
  it('is a version 7 UUID (RFC 9562 variant) carrying the millisecond it was made', () => {
    const at = Date.UTC(2026, 11, 1, 17, 30, 0, 123)
    const id = newCallId(at)
    expect(id).toMatch(UUID_V7)
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at)
  })

  it('sorts as text by the time it was made', () => {
    const ids = [0, 1, 255, 256, 65_536, 1_000_000, 2 ** 40].map((ms) => newCallId(1_700_000_000_000 + ms))
    expect([...ids].sort()).toEqual(ids)
  })

  it('differs every time within one millisecond (74 random bits)', () => {
    const at = Date.now()
    const ids = new Set(Array.from({ length: 10_000 }, () => newCallId(at)))
    expect(ids.size).toBe(10_000)
  })
})
