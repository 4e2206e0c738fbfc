/**
 * @module
 * `--wait`: follows each deployed function until it is ready, failed or out of time, with a live line
 * per function. Ready means every backend it is placed on applied this generation (edgefaas's
 * `/system/deployments`) and a replica is available (or none is wanted); on other OpenFaaS gateways,
 * which have no deployments route, a replica being available. A function whose every placement keeps
 * failing (3 attempts each) fails early with the gateway's error instead of using up the timeout.
 */
import type { FunctionStatus } from '../contract/types.ts'
import type { GatewayClient } from './client.ts'
import type { CliIo } from './command-table.ts'
import { CliError } from './errors.ts'

interface DeploymentRow {
  function: string
  backend: string
  status: string
  placed: boolean
  generation: number | null
  appliedGeneration: number | null
  lastError: string | null
  attempts: number
}

export interface WaitTarget {
  name: string
  namespace?: string
}

export interface WaitResult {
  name: string
  namespace?: string
  outcome: 'ready' | 'failed' | 'timeout'
  detail: string
  seconds: number
}

const POLL_MS = 500
const FAIL_AFTER_ATTEMPTS = 3

export async function waitForFunctions(
  client: GatewayClient,
  targets: WaitTarget[],
  timeoutMs: number,
  io: CliIo,
): Promise<WaitResult[]> {
  const started = Date.now()
  const lines = new Map<string, string>(targets.map((t) => [label(t), 'waiting']))
  const results = new Map<string, WaitResult>()
  const display = progressDisplay(io, targets.map(label))
  let hasDeploymentsRoute: boolean | undefined
  while (results.size < targets.length) {
    const elapsed = Date.now() - started
    await Promise.all(
      targets
        .filter((t) => !results.has(label(t)))
        .map(async (t) => {
          const state = await observe(client, t, hasDeploymentsRoute).catch((error: unknown) => ({
            phase: 'waiting' as const,
            text: `waiting (${error instanceof Error ? error.message : String(error)})`,
            hasRoute: hasDeploymentsRoute,
          }))
          hasDeploymentsRoute = state.hasRoute
          const seconds = Math.round((Date.now() - started) / 100) / 10
          if (state.phase === 'ready' || state.phase === 'failed') {
            results.set(label(t), { ...t, outcome: state.phase, detail: state.text, seconds })
            lines.set(label(t), state.phase === 'ready' ? `ready (${seconds}s)` : `failed: ${state.text}`)
          } else if (elapsed >= timeoutMs) {
            results.set(label(t), { ...t, outcome: 'timeout', detail: state.text, seconds })
            lines.set(label(t), `timed out after ${Math.round(timeoutMs / 1000)}s: ${state.text}`)
          } else {
            lines.set(label(t), state.text)
          }
        }),
    )
    display.update(lines)
    if (results.size < targets.length) await new Promise((r) => setTimeout(r, POLL_MS))
  }
  display.done()
  return targets.map((t) => results.get(label(t)) as WaitResult)
}

function label(t: WaitTarget): string {
  return t.namespace ? `${t.name}.${t.namespace}` : t.name
}

type Observed = { phase: 'ready' | 'failed' | 'waiting'; text: string; hasRoute: boolean | undefined }

async function observe(
  client: GatewayClient,
  t: WaitTarget,
  hasRoute: boolean | undefined,
): Promise<Observed> {
  const status = await client.json<FunctionStatus>('GET', `/system/function/${t.name}`, {
    query: { namespace: t.namespace },
  })
  const available = status.availableReplicas ?? 0
  const wanted = status.replicas ?? 0
  let rows: DeploymentRow[] | null = null
  if (hasRoute !== false) {
    const response = await client.request('GET', '/system/deployments', {
      query: { name: t.name, namespace: t.namespace },
      allow: [404, 405],
    })
    if (response.ok) rows = ((await response.json()) as DeploymentRow[]).filter((r) => r.function === t.name)
    else await response.body?.cancel()
    hasRoute = response.ok
  }
  if (!rows) {
    return available > 0
      ? { phase: 'ready', text: `${available} replica(s) available`, hasRoute }
      : { phase: 'waiting', text: 'no replica available yet', hasRoute }
  }
  const placed = rows.filter((r) => r.placed)
  const applied = placed.filter((r) => r.status === 'ready' && r.appliedGeneration === r.generation)
  const failing = placed.filter((r) => r.status === 'error')
  const where = placed.map((r) => r.backend).join(', ') || 'no backend yet'
  if (
    placed.length > 0 &&
    failing.length === placed.length &&
    failing.every((r) => r.attempts >= FAIL_AFTER_ATTEMPTS)
  ) {
    const errors = failing.map((r) => `${r.backend}: ${r.lastError ?? 'failed'}`).join('; ')
    return { phase: 'failed', text: errors, hasRoute }
  }
  if (placed.length > 0 && applied.length === placed.length && (available > 0 || wanted === 0)) {
    return { phase: 'ready', text: `on ${where}`, hasRoute }
  }
  const errors = failing.map((r) => ` ${r.backend}: ${r.lastError ?? 'failed'}, retrying`).join(';')
  const text =
    applied.length < placed.length || placed.length === 0
      ? `deploying on ${where} (${applied.length}/${placed.length} applied)`
      : `applied on ${where}; ${available}/${wanted} replicas available`
  return { phase: 'waiting', text: `${text}${errors ? `;${errors}` : ''}`, hasRoute }
}

interface ProgressDisplay {
  update(lines: Map<string, string>): void
  done(): void
}

/** On a terminal: one line per function, redrawn in place. Elsewhere (CI logs): a line per change. */
function progressDisplay(io: CliIo, names: string[]): ProgressDisplay {
  const width = Math.max(...names.map((n) => n.length))
  const format = (name: string, text: string) => `  ${name.padEnd(width)}  ${text}`
  if (io.isTty) {
    let drawn = 0
    return {
      update(lines) {
        const out = names.map((n) => format(n, lines.get(n) ?? ''))
        io.stdout.write(`${drawn > 0 ? `\u001b[${drawn}A` : ''}${out.map((l) => `\u001b[2K${l}\n`).join('')}`)
        drawn = out.length
      },
      done() {},
    }
  }
  const last = new Map<string, string>()
  return {
    update(lines) {
      for (const n of names) {
        const text = lines.get(n) ?? ''
        if (last.get(n) !== text) io.stdout.write(`${format(n, text)}\n`)
        last.set(n, text)
      }
    },
    done() {},
  }
}

export function parseTimeout(value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim())
  if (!match) throw new CliError(`--timeout ${value}: write a duration such as 90s, 2m or 500ms`, 2)
  const n = Number(match[1])
  const unit = match[2] ?? 's'
  return unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000
}
