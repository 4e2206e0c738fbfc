/**
 * @module
 * Starts a throwaway Prometheus (`/usr/bin/prometheus`) or VictoriaMetrics (`/usr/bin/victoria-metrics`)
 * for tests: storage in a temp dir, listening on 127.0.0.1 on a free port, scraping the given targets'
 * `/metrics` every second with basic auth (the gateway's /metrics sits behind it). Both serve the
 * Prometheus HTTP API (`/api/v1/query`), which is all the autoscaler uses.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.ts'

export type MetricsStoreKind = 'prometheus' | 'victoria-metrics'

export interface ScrapeTarget {
  /** `127.0.0.1:PORT` */
  address: string
  user: string
  password: string
}

export interface MetricsStore {
  kind: MetricsStoreKind
  /** `http://127.0.0.1:PORT`, the base of `/api/v1/query`. */
  url: string
  /** Evaluates a query now (for tests to wait on scrapes). */
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>
  stop(): Promise<void>
}

function scrapeConfig(kind: MetricsStoreKind, targets: ScrapeTarget[]): string {
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify({
    // VictoriaMetrics parses strictly and evaluates no rules: no evaluation_interval there.
    global:
      kind === 'prometheus'
        ? { scrape_interval: '1s', evaluation_interval: '1s' }
        : { scrape_interval: '1s' },
    scrape_configs: targets.map((t, i) => ({
      job_name: `edgefaas-${i}`,
      scrape_interval: '1s',
      scrape_timeout: '1s',
      metrics_path: '/metrics',
      basic_auth: { username: t.user, password: t.password },
      static_configs: [{ targets: [t.address] }],
    })),
  })
}

export async function startMetricsStore(
  kind: MetricsStoreKind,
  targets: ScrapeTarget[],
): Promise<MetricsStore> {
  const dir = await mkdtemp(join(tmpdir(), `edgefaas-${kind}-`))
  const configFile = join(dir, 'scrape.yml')
  await writeFile(configFile, scrapeConfig(kind, targets))
  const port = await freePort()
  const args =
    kind === 'prometheus'
      ? [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ]
      : [
          `-httpListenAddr=127.0.0.1:${port}`,
          `-promscrape.config=${configFile}`,
          `-storageDataPath=${join(dir, 'data')}`,
          '-loggerLevel=ERROR',
          // Answer queries on samples as fresh as the last scrape, not 30 s behind (its default).
          '-search.latencyOffset=0s',
          '-search.cacheTimestampOffset=0s',
          '-search.disableCache',
        ]
  const bin = kind === 'prometheus' ? '/usr/bin/prometheus' : '/usr/bin/victoria-metrics'
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  const query = async (q: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)
    const body = (await res.json()) as {
      data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> }
    }
    return body.data?.result ?? []
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`${kind} exited at start; its log:\n${output}`)
    }
    const ready = await fetch(`${url}/api/v1/query?query=1`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`${kind} did not answer on ${url}; its log:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { kind, url, query, stop }
}
