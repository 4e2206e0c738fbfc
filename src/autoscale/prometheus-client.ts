/**
 * @module
 * A client for the Prometheus HTTP API's instant query (`GET /api/v1/query`), which Prometheus,
 * VictoriaMetrics, Thanos, Mimir and other compatible stores serve alike. The URL and credentials are
 * configuration only (EDGEFAAS_PROMETHEUS_*), never taken from a request: the gateway must not be
 * turned into a way to reach arbitrary hosts.
 */

export type PrometheusAuth =
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }

export interface PrometheusClientOptions {
  /** Base URL, e.g. `http://prometheus:9090` or `http://victoria:8428` (a path prefix is kept). */
  url: string
  auth?: PrometheusAuth | null
  timeoutMs: number
  fetch?: typeof fetch
}

/** One series of an instant vector: its labels and value. */
export interface Sample {
  labels: Record<string, string>
  value: number
}

export class PrometheusError extends Error {
  override name = 'PrometheusError'
}

export interface PrometheusClient {
  /** Evaluates `query` now; resolves with the instant vector (a scalar becomes one unlabelled sample). */
  query(query: string): Promise<Sample[]>
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const doFetch = options.fetch ?? fetch
  const base = options.url.replace(/\/+$/, '')
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.auth?.kind === 'basic') {
    headers.authorization = `Basic ${btoa(`${options.auth.user}:${options.auth.password}`)}`
  } else if (options.auth?.kind === 'bearer') {
    headers.authorization = `Bearer ${options.auth.token}`
  }

  return {
    async query(query) {
      const url = `${base}/api/v1/query?query=${encodeURIComponent(query)}`
      let response: Response
      try {
        response = await doFetch(url, {
          headers,
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        })
      } catch (error) {
        throw new PrometheusError(`query failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        })
      }
      const text = await response.text()
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        throw new PrometheusError(`query answered ${response.status} with a body that is not JSON`)
      }
      return parseQueryResponse(response.status, body)
    },
  }
}

/** The samples of a `/api/v1/query` answer; throws PrometheusError on an error answer or an odd shape. */
export function parseQueryResponse(status: number, body: unknown): Sample[] {
  if (!isRecord(body)) throw new PrometheusError(`query answered ${status} with an unexpected body`)
  if (body.status !== 'success') {
    const detail = typeof body.error === 'string' ? body.error.slice(0, 300) : `status ${status}`
    throw new PrometheusError(`query refused: ${detail}`)
  }
  const data = body.data
  if (!isRecord(data)) throw new PrometheusError('query answer has no data')
  if (data.resultType === 'scalar') {
    return [{ labels: {}, value: sampleValue(data.result) }]
  }
  if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new PrometheusError(`query answered a ${String(data.resultType)}, not an instant vector`)
  }
  return data.result.map((entry: unknown) => {
    if (!isRecord(entry) || !isRecord(entry.metric)) throw new PrometheusError('malformed series in answer')
    const labels: Record<string, string> = {}
    for (const [k, v] of Object.entries(entry.metric)) if (typeof v === 'string') labels[k] = v
    return { labels, value: sampleValue(entry.value) }
  })
}

function sampleValue(pair: unknown): number {
  if (!Array.isArray(pair) || typeof pair[1] !== 'string') throw new PrometheusError('malformed sample value')
  const value = Number(pair[1])
  // NaN (0/0 in a rate) and ±Inf carry no load figure: count them as none.
  return Number.isFinite(value) ? value : 0
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
