/**
 * @module
 * Kubernetes resource quantities as OpenFaaS functions give them (`limits.memory: 128Mi`,
 * `requests.cpu: 250m`), read into the units AWS takes: MiB of memory, thousandths of a vCPU.
 */

const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/
const FACTOR: Record<string, number> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1000,
  K: 1000,
  M: 1000 ** 2,
  G: 1000 ** 3,
  T: 1000 ** 4,
}

/** MiB, rounded up; null when `value` is not a memory quantity. */
export function memoryMiB(value: string): number | null {
  const match = MEMORY.exec(value.trim())
  if (!match) return null
  const bytes = Number(match[1]) * (FACTOR[match[2] ?? ''] ?? 1)
  return Number.isFinite(bytes) ? Math.ceil(bytes / 1024 ** 2) : null
}

/** Thousandths of a vCPU (`500m` → 500, `1` → 1000, `0.25` → 250); null when not a CPU quantity. */
export function milliCpu(value: string): number | null {
  const text = value.trim()
  const milli = /^(\d+)m$/.exec(text)
  if (milli) return Number(milli[1])
  if (!/^\d+(\.\d+)?$/.test(text)) return null
  return Math.ceil(Number(text) * 1000)
}
