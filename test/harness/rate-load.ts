/**
 * Closed-loop load for rate-limit checks: `concurrency` callers per URL, each sending the next request as
 * soon as the last one is answered, until `seconds` have passed; counts answers by status per URL. Used by
 * test/access/rate-limit-shared.test.ts (a few seconds) and bench/rate-limit-shared.ts (30 s).
 */
export interface LoadResult {
  /** Per URL: status → count. */
  byUrl: Map<string, Map<number, number>>
  total(status: number): number
  seconds: number
}

export async function closedLoopLoad(
  urls: string[],
  seconds: number,
  concurrency = 4,
  init: RequestInit = { method: 'POST', body: 'x' },
): Promise<LoadResult> {
  const byUrl = new Map(urls.map((u) => [u, new Map<number, number>()]))
  const started = performance.now()
  const deadline = started + seconds * 1000
  const loop = async (url: string) => {
    const counts = byUrl.get(url)!
    while (performance.now() < deadline) {
      let status = 0
      try {
        const response = await fetch(url, init)
        status = response.status
        await response.arrayBuffer()
      } catch {
        status = -1
      }
      counts.set(status, (counts.get(status) ?? 0) + 1)
    }
  }
  await Promise.all(urls.flatMap((url) => Array.from({ length: concurrency }, () => loop(url))))
  return {
    byUrl,
    seconds,
    total: (status) => [...byUrl.values()].reduce((sum, m) => sum + (m.get(status) ?? 0), 0),
  }
}
