/**
 * @module
 * The routing decision of one call, as a pure function: which of a function's placements serves it.
 *
 * Weighted power of two choices. A primary is drawn by weight and an alternative by weight among the
 * others; the primary serves unless it is clearly costlier than the alternative (more than `ratio`
 * times its cost plus `slackSeconds`), then the alternative does. While backends are about as fast,
 * the primary always wins, so traffic follows the weights exactly (80/20 stays 80/20, which plain
 * P2C, comparing loads, would pull towards 50/50); a backend that is clearly slower or stalled loses
 * every comparison it is in and keeps only what its decaying cost lets through (see backend-load.ts).
 *
 * Candidates come in tiers (healthy and ready first, then not ready, then ejected …): only the best
 * tier present is drawn from, so an ejected backend serves only when nothing better is left. A weight
 * of 0 makes a backend a standby: drawn only when no candidate of its tier has a weight.
 */

export interface Candidate {
  /** The placement's weight (`a=80`); 0: standby. */
  weight: number
  /** Load cost in seconds (backend-load.ts); compared only against other candidates. */
  cost: number
  /** Lower is better; Infinity: not a candidate at all (unreachable, or already tried for this call). */
  tier: number
}

export interface ChoiceOptions {
  /** How many times costlier the primary must be than the alternative to lose to it. */
  ratio: number
  /** And by how much at least: differences below this are noise (a pause, a slow connect). */
  slackSeconds: number
}

export const DEFAULT_CHOICE: ChoiceOptions = { ratio: 1.5, slackSeconds: 0.025 }

/** Index of the chosen candidate, or -1 when none is a candidate. `random` returns [0, 1). */
export function chooseCandidate(
  candidates: readonly Candidate[],
  random: () => number,
  options: ChoiceOptions = DEFAULT_CHOICE,
): number {
  let tier = Number.POSITIVE_INFINITY
  for (const c of candidates) if (c.tier < tier) tier = c.tier
  if (tier === Number.POSITIVE_INFINITY) return -1

  let count = 0
  let weighted = 0
  let only = -1
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!
    if (c.tier !== tier) continue
    count++
    only = i
    if (c.weight > 0) weighted++
  }
  if (count === 1) return only
  // Standbys (weight 0) count only when nothing in the tier has a weight; then they are equals.
  const weightOf = (c: Candidate): number => (c.tier !== tier ? 0 : weighted > 0 ? c.weight : 1)

  const primary = draw(candidates, weightOf, -1, random)
  if ((weighted > 0 ? weighted : count) < 2) return primary
  const alternative = draw(candidates, weightOf, primary, random)
  const p = candidates[primary]!.cost
  const a = candidates[alternative]!.cost
  return p > a * options.ratio + options.slackSeconds ? alternative : primary
}

/** A weighted draw among the candidates, leaving out index `skip`. */
function draw(
  candidates: readonly Candidate[],
  weightOf: (c: Candidate) => number,
  skip: number,
  random: () => number,
): number {
  let total = 0
  for (let i = 0; i < candidates.length; i++) if (i !== skip) total += weightOf(candidates[i]!)
  let point = random() * total
  let last = -1
  for (let i = 0; i < candidates.length; i++) {
    if (i === skip) continue
    const w = weightOf(candidates[i]!)
    if (w <= 0) continue
    last = i
    if (point < w) return i
    point -= w
  }
  return last // rounding at the top end
}
