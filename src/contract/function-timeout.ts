/**
 * @module
 * A function's timeout: how long one call may run before it is cut off. `edgefaas.dev/timeout` sets it
 * per function, capped by (and defaulting to) the gateway's upstream timeout. The gateway bounds its wait
 * with it; the local provider hands it to the classic watchdog as `exec_timeout` and bounds the draining
 * of a replica by it. One parse, so the two never disagree.
 */
import { parseDurationMs } from './duration.ts'
import { TIMEOUT_ANNOTATION } from './labels.ts'

/** The timeout in ms; `capMs` when the annotation is absent, unparsable, zero or larger. */
export function functionTimeoutMs(
  annotations: Readonly<Record<string, string>> | null | undefined,
  capMs: number,
): number {
  const value = annotations?.[TIMEOUT_ANNOTATION]
  const ms = value === undefined ? null : parseDurationMs(value)
  return ms !== null && ms > 0 ? Math.min(ms, capMs) : capMs
}
