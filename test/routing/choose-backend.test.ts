/**
 * The pure choice: tiers, standbys, weights kept exactly while costs are alike, and a clearly costlier
 * primary losing to its alternative.
 */
import { describe, expect, it } from 'vitest'
import { type Candidate, chooseCandidate } from '../../src/routing/choose-backend.ts'
import { seededRandom } from './seeded-random.ts'

const c = (weight: number, cost = 0.002, tier = 0): Candidate => ({ weight, cost, tier })

function shares(candidates: Candidate[], draws: number, seed = 1): number[] {
  const random = seededRandom(seed)
  const counts = candidates.map(() => 0)
  for (let i = 0; i < draws; i++) {
    const index = chooseCandidate(candidates, random)
    counts[index] = (counts[index] ?? 0) + 1
  }
  return counts.map((n) => n / draws)
}

describe('chooseCandidate', () => {
  it.each([
    { name: 'no candidates', candidates: [], expected: -1 },
    { name: 'all unreachable', candidates: [c(100, 0, Infinity), c(100, 0, Infinity)], expected: -1 },
    { name: 'the one candidate', candidates: [c(100, 0, Infinity), c(100)], expected: 1 },
    { name: 'the better tier, whatever its cost', candidates: [c(100, 0, 2), c(1, 9, 0)], expected: 1 },
    { name: 'a weighted one before a standby', candidates: [c(0), c(5)], expected: 1 },
    { name: 'a standby when it is all its tier has', candidates: [c(0, 0, 0), c(100, 0, 2)], expected: 0 },
  ])('$name', ({ candidates, expected }) => {
    expect(chooseCandidate(candidates, seededRandom(7))).toBe(expected)
  })

  it('keeps 80/20 weights exactly while both backends are about as fast', () => {
    const [a] = shares([c(80, 0.002), c(20, 0.0025)], 10_000)
    expect(a).toBeGreaterThan(0.785)
    expect(a).toBeLessThan(0.815)
  })

  it('keeps three-way weights, and standbys get nothing', () => {
    const s = shares([c(50), c(30), c(20), c(0)], 20_000)
    expect(s[0]).toBeCloseTo(0.5, 1)
    expect(s[1]).toBeCloseTo(0.3, 1)
    expect(s[2]).toBeCloseTo(0.2, 1)
    expect(s[3]).toBe(0)
  })

  it('sends nothing to a backend 200 ms slower than its alternative', () => {
    const [fast, slow] = shares([c(50, 0.002), c(50, 0.202)], 10_000)
    expect(slow).toBe(0)
    expect(fast).toBe(1)
  })

  it('treats differences under the slack, or under 1.5×, as noise', () => {
    expect(shares([c(50, 0.002), c(50, 0.02)], 10_000)[1]).toBeGreaterThan(0.45)
    expect(shares([c(50, 1.0), c(50, 1.4)], 10_000)[1]).toBeGreaterThan(0.45)
    expect(shares([c(50, 1.0), c(50, 1.6)], 10_000)[1]).toBe(0)
  })

  it('draws standbys as equals when nothing in the tier has a weight', () => {
    const s = shares([c(0), c(0), c(100, 0, 3)], 10_000)
    expect(s[0]).toBeCloseTo(0.5, 1)
    expect(s[2]).toBe(0)
  })
})
