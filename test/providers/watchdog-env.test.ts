/**
 * @module
 * The classic watchdog's pure helpers: header names, durations and the Go log timestamp.
 */
import { describe, expect, it } from 'vitest'
import { canonicalHeader, logTimestamp, parseDuration } from '../../providers/local/watchdog-env.ts'

describe('classic watchdog helpers', () => {
  it('canonicalises header names like Go', () => {
    expect(canonicalHeader('x-call-id')).toBe('X-Call-Id')
    expect(canonicalHeader('CONTENT-TYPE')).toBe('Content-Type')
  })

  it('reads exec_timeout as seconds or a Go duration', () => {
    expect(parseDuration('10', 0)).toBe(10_000)
    expect(parseDuration('10s', 0)).toBe(10_000)
    expect(parseDuration('1m30s', 0)).toBe(90_000)
    expect(parseDuration('500ms', 0)).toBe(500)
    expect(parseDuration('1.5s', 0)).toBe(1_500)
    expect(parseDuration('soon', 7)).toBe(7)
    expect(parseDuration(undefined, 7)).toBe(7)
  })

  it('prefixes lines like Go log', () => {
    expect(logTimestamp(new Date(2024, 0, 2, 3, 4, 5))).toBe('2024/01/02 03:04:05 ')
  })
})
