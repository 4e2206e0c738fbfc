import { describe, expect, it } from 'vitest'
import {
  type PlacementCandidate,
  parsePlacement,
  parsePlacementRule,
  resolvePlacement,
  weightsFor,
} from '../../src/routing/placement.ts'

describe('parsePlacement', () => {
  it('defaults to the default backend', () => {
    expect(parsePlacement(undefined, 'local')).toEqual([{ backend: 'local', weight: 100 }])
    expect(parsePlacement('  ', 'local')).toEqual([{ backend: 'local', weight: 100 }])
  })
  it('reads weights and bare names', () => {
    expect(parsePlacement('eu-k8s=80, us-lambda=20', 'local')).toEqual([
      { backend: 'eu-k8s', weight: 80 },
      { backend: 'us-lambda', weight: 20 },
    ])
    expect(parsePlacement('a,b', 'local')).toEqual([
      { backend: 'a', weight: 100 },
      { backend: 'b', weight: 100 },
    ])
  })
  it.each(['a=b=c', 'A=1', 'a=-1', 'a=1.5', 'a,a', ',', 'a=x', 'a=', 'a=1e2', 'a=0', 'a=1001'])(
    'refuses %s with a message',
    (value) => {
      expect(typeof parsePlacement(value, 'local')).toBe('string')
    },
  )
  it('keeps a zero weight when another backend has traffic (a drained placement)', () => {
    expect(parsePlacement('a=0,b=100', 'local')).toEqual([
      { backend: 'a', weight: 0 },
      { backend: 'b', weight: 100 },
    ])
  })
})

describe('parsePlacementRule', () => {
  it('tells weights, selectors and the default apart', () => {
    expect(parsePlacementRule(undefined)).toEqual({ kind: 'default' })
    expect(parsePlacementRule('a=80,b=20')).toEqual({
      kind: 'weights',
      entries: [
        { backend: 'a', weight: 80 },
        { backend: 'b', weight: 20 },
      ],
    })
    expect(parsePlacementRule('selector:region=eu')).toEqual({
      kind: 'selector',
      selector: { region: 'eu' },
    })
    expect(parsePlacementRule(' selector: topology.example.com/zone=eu-1 , tier=gold ')).toEqual({
      kind: 'selector',
      selector: { 'topology.example.com/zone': 'eu-1', tier: 'gold' },
    })
  })

  it('reads "region=80" as a backend weight, never as a label: selectors need their prefix', () => {
    expect(parsePlacementRule('region=80')).toEqual({
      kind: 'weights',
      entries: [{ backend: 'region', weight: 80 }],
    })
    // A label-looking value is not a weight; the message says how to write a selector.
    expect(parsePlacementRule('region=eu')).toMatch(/whole number.*selector:region=/)
  })

  it.each([
    'selector:',
    'selector:region',
    'selector:region=eu=x',
    'selector:re gion=eu',
    'selector:region=eu,region=us',
    'selector:=eu',
    'selector:region=-eu',
  ])('refuses the malformed selector %s with a message', (value) => {
    expect(parsePlacementRule(value)).toMatch(/edgefaas\.dev\/backends/)
  })
})

describe('resolvePlacement', () => {
  const known: PlacementCandidate[] = [
    { name: 'eu-1', labels: { region: 'eu', tier: 'gold' }, isDefault: false },
    { name: 'eu-2', labels: { region: 'eu' }, isDefault: false },
    { name: 'local', labels: {}, isDefault: false },
    { name: 'us-1', labels: { region: 'us' }, isDefault: false },
  ]
  const resolve = (value: string | undefined, backends = known, fallback = 'local') => {
    const rule = parsePlacementRule(value)
    if (typeof rule === 'string') throw new Error(rule)
    return resolvePlacement(rule, backends, fallback)
  }

  it('keeps named backends in the order written', () => {
    expect(resolve('us-1=20,eu-1=80')).toEqual(['us-1', 'eu-1'])
  })

  it('names every unknown backend and lists the known ones', () => {
    expect(resolve('eu-1,mars,venus=5')).toEqual({
      error:
        'unknown backends "mars", "venus" in edgefaas.dev/backends; known backends: eu-1, eu-2, local, us-1 (add one with POST /system/backends)',
    })
  })

  it('places a selector on every backend carrying all its labels, in name order', () => {
    expect(resolve('selector:region=eu')).toEqual(['eu-1', 'eu-2'])
    expect(resolve('selector:region=eu,tier=gold')).toEqual(['eu-1'])
  })

  it('refuses a selector that matches nothing, listing the backends and their labels', () => {
    const result = resolve('selector:region=mars')
    expect(result).toEqual({
      error: expect.stringContaining('no backend matches selector:region=mars'),
    })
    expect((result as { error: string }).error).toContain('eu-2 (region=eu)')
    expect((result as { error: string }).error).toContain('local (no labels)')
  })

  it('sends a function without the annotation to the backend marked default, else the configured one', () => {
    expect(resolve(undefined)).toEqual(['local'])
    const withDefault = known.map((b) => (b.name === 'us-1' ? { ...b, isDefault: true } : b))
    expect(resolve(undefined, withDefault)).toEqual(['us-1'])
    expect(resolve(undefined, known, 'nowhere')).toEqual({
      error: expect.stringContaining(
        'the default backend "nowhere" (EDGEFAAS_DEFAULT_BACKEND) does not exist',
      ),
    })
  })
})

describe('weightsFor', () => {
  it('gives written weights, and 100 to selector matches and bare names', () => {
    expect(weightsFor('a=80,b=20', ['a', 'b'])).toEqual(
      new Map([
        ['a', 80],
        ['b', 20],
      ]),
    )
    expect(weightsFor('selector:region=eu', ['eu-1', 'eu-2'])).toEqual(
      new Map([
        ['eu-1', 100],
        ['eu-2', 100],
      ]),
    )
    expect(weightsFor(undefined, ['local'])).toEqual(new Map([['local', 100]]))
  })
})
