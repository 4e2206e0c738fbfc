/**
 * The resend rules as a table: a call goes to another backend only when it provably never reached the
 * function, or when an idempotent method met the backend gateway's own 502/503; and what each outcome
 * tells the router about the backend.
 */
import { describe, expect, it } from 'vitest'
import { ProviderError } from '../../providers/types.ts'
import { HttpTransportError } from '../../src/http/client.ts'
import {
  attemptResult,
  errorOutcome,
  type Outcome,
  resendAfter,
  responseOutcome,
} from '../../src/invoke/attempt-outcome.ts'

const refused = new ProviderError('UNAVAILABLE', 'backend eu is unreachable: ECONNREFUSED', {
  cause: new HttpTransportError('ECONNREFUSED', { beforeSend: true }),
})
const reset = new ProviderError('UNAVAILABLE', 'backend eu is unreachable: socket hang up', {
  cause: new HttpTransportError('socket hang up', { beforeSend: false }),
})
const localDown = new ProviderError('UNAVAILABLE', 'cannot reach f.openfaas-fn: ECONNRESET', {
  cause: new Error('ECONNRESET'),
})
const internal = (status: number) =>
  responseOutcome(new Response('x', { status, headers: { 'X-OpenFaaS-Internal': 'proxy' } }))
const own = (status: number) => responseOutcome(new Response('x', { status }))

describe('errorOutcome', () => {
  it.each([
    { name: 'connect refused', error: refused, kind: 'unreachable', beforeSend: true },
    { name: 'reset after sending', error: reset, kind: 'unreachable', beforeSend: false },
    {
      name: 'a bare transport error',
      error: new HttpTransportError('x', { beforeSend: true }),
      kind: 'unreachable',
      beforeSend: true,
    },
    { name: 'local provider down', error: localDown, kind: 'unreachable', beforeSend: false },
    { name: 'NOT_READY', error: new ProviderError('NOT_READY', 'x'), kind: 'not-ready' },
    { name: 'NOT_FOUND', error: new ProviderError('NOT_FOUND', 'x'), kind: 'not-found' },
    { name: 'INVALID', error: new ProviderError('INVALID', 'x'), kind: 'error' },
    { name: 'anything else', error: new TypeError('x'), kind: 'error' },
  ])('$name → $kind', ({ error, kind, beforeSend }) => {
    const outcome = errorOutcome(error, false, false)
    expect(outcome.kind).toBe(kind)
    if (beforeSend !== undefined) expect(outcome).toMatchObject({ beforeSend })
  })

  it('a timeout or a caller gone wins over what the provider threw', () => {
    expect(errorOutcome(refused, true, false).kind).toBe('timeout')
    expect(errorOutcome(refused, false, true).kind).toBe('aborted')
  })
})

/** A reset after sending, on a backend then found gone with its functions (deliver.ts asks the provider). */
function crashed(): Outcome {
  const outcome = errorOutcome(reset, false, false)
  if (outcome.kind === 'unreachable') outcome.crashed = true
  return outcome
}

describe('resendAfter', () => {
  const cases: Array<[string, Outcome, string, boolean, ReturnType<typeof resendAfter>]> = [
    ['not ready', { kind: 'not-ready' }, 'POST', true, 'free'],
    ['not found', { kind: 'not-found' }, 'POST', true, 'free'],
    ['connect refused, POST', errorOutcome(refused, false, false), 'POST', true, 'budget'],
    ['connect refused, body past the limit', errorOutcome(refused, false, false), 'POST', false, false],
    ['reset after sending, POST', errorOutcome(reset, false, false), 'POST', true, false],
    ['reset after sending, GET', errorOutcome(reset, false, false), 'GET', true, false],
    ['reset after sending, backend crashed with the call', crashed(), 'POST', true, 'budget'],
    ['backend crashed with the call, body past the limit', crashed(), 'POST', false, false],
    ['timeout, GET', { kind: 'timeout' }, 'GET', true, false],
    ['caller gone', { kind: 'aborted' }, 'GET', true, false],
    ['backend gateway 503, GET', internal(503), 'GET', true, 'budget'],
    ['backend gateway 502, PUT', internal(502), 'PUT', true, 'budget'],
    ['backend gateway 502, DELETE', internal(502), 'DELETE', true, 'budget'],
    ['backend gateway 503, POST', internal(503), 'POST', true, false],
    ['backend gateway 503, PATCH', internal(503), 'PATCH', true, false],
    ['backend gateway 500, GET', internal(500), 'GET', true, false],
    ['backend gateway 404, POST', internal(404), 'POST', true, 'free'],
    ["the function's own 503, GET", own(503), 'GET', true, false],
    ["the function's own 404, GET", own(404), 'GET', true, false],
    ["the function's 200", own(200), 'GET', true, false],
  ]
  it.each(cases)('%s → %s', (_, outcome, method, replayable, expected) => {
    expect(resendAfter(outcome, method, replayable)).toBe(expected)
  })
})

describe('attemptResult', () => {
  it.each([
    ['an answer of the function, even a 500', own(500), { kind: 'answered', status: 500 }],
    ['the backend gateway 503', internal(503), { kind: 'failed', code: '503' }],
    ['the backend gateway 404', internal(404), { kind: 'unready', code: '404' }],
    ['connect refused', errorOutcome(refused, false, false), { kind: 'failed', code: 'unreachable' }],
    ['timeout', { kind: 'timeout' } as Outcome, { kind: 'failed', code: 'timeout' }],
    ['not ready', { kind: 'not-ready' } as Outcome, { kind: 'unready', code: 'not_ready' }],
    ['caller gone', { kind: 'aborted' } as Outcome, { kind: 'released', code: 'aborted' }],
  ])('%s', (_, outcome, expected) => {
    expect(attemptResult(outcome)).toMatchObject(expected)
  })
})
