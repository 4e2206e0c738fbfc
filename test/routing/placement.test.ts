import { describe, expect, it } from 'vitest'
import { parsePlacement } from '../../src/routing/placement.ts'

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
  it.each(['a=b=c', 'A=1', 'a=-1', 'a=1.5', 'a,a', ',', 'a=x'])('refuses %s with a message', (value) => {
    expect(typeof parsePlacement(value, 'local')).toBe('string')
  })
})
