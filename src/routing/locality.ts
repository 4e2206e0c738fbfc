/**
 * @module
 * Locality: among a function's placements, prefer the backend nearest the caller. The caller's place is
 * what Cloudflare tells a Worker in `request.cf` (the colo that took the request, its continent); other
 * runtimes have none, and then locality changes nothing. A backend says where it is with labels:
 *
 * - `colo`: a Cloudflare colo (IATA code, `FRA`): nearest to callers entering at that colo;
 * - `region`: a continent code as `request.cf.continent` spells it (`EU`, `NA`, `AS`, `OC`, `SA`, `AF`,
 *   `AN`), optionally followed by `-` and anything (`EU-frankfurt`): near callers from that continent.
 *
 * Locality ranks below health: the router draws from the healthiest tier first and, inside it, from the
 * nearest backends (with their weights and load among them); a nearer backend that is ejected or not
 * ready loses to a farther healthy one.
 */

/** Where a call came from, as far as the runtime knows. */
export interface CallerOrigin {
  colo?: string
  continent?: string
}

/** 0: same colo; 1: same continent; 2: farther, or unknown. */
export type Proximity = 0 | 1 | 2
export const PROXIMITY_LEVELS = 3

/** The caller's origin from Cloudflare's `request.cf`; null elsewhere (the property is Workers-only). */
export function originOf(request: Request): CallerOrigin | null {
  const cf = (request as Request & { cf?: { colo?: unknown; continent?: unknown } }).cf
  if (!cf) return null
  const origin: CallerOrigin = {}
  if (typeof cf.colo === 'string' && cf.colo) origin.colo = cf.colo.toUpperCase()
  if (typeof cf.continent === 'string' && cf.continent) origin.continent = cf.continent.toUpperCase()
  return origin.colo || origin.continent ? origin : null
}

export function proximity(labels: Readonly<Record<string, string>>, origin: CallerOrigin | null): Proximity {
  if (!origin) return 2
  if (origin.colo && labels.colo?.toUpperCase() === origin.colo) return 0
  const region = labels.region?.toUpperCase()
  if (
    origin.continent &&
    region &&
    (region === origin.continent || region.startsWith(`${origin.continent}-`))
  ) {
    return 1
  }
  return 2
}
