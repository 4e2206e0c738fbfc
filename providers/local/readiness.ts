/**
 * @module
 * Readiness probes for replicas: an HTTP GET that must answer 2xx (the watchdog's `/_/health`, or the
 * function's `com.openfaas.ready.http.path`), or a bare TCP connect when a long-running process declares
 * no ready path. Polled with a short, growing interval until a deadline.
 */
import http from 'node:http'
import net from 'node:net'

export type ReadinessProbe = { kind: 'http'; path: string } | { kind: 'tcp' }

const PROBE_TIMEOUT_MS = 1_000
/** How long a starting replica is probed every 5 ms before the step grows. */
const FINE_PROBING_MS = 3_000

function probeOnce(port: number, probe: ReadinessProbe): Promise<boolean> {
  return new Promise((resolve) => {
    if (probe.kind === 'tcp') {
      const socket = net.connect({ host: '127.0.0.1', port, timeout: PROBE_TIMEOUT_MS })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('timeout', () => socket.destroy())
      socket.once('error', () => resolve(false))
      socket.once('close', () => resolve(false))
      return
    }
    const request = http.get(
      { host: '127.0.0.1', port, path: probe.path, agent: false, timeout: PROBE_TIMEOUT_MS },
      (response) => {
        response.resume()
        const status = response.statusCode ?? 0
        resolve(status >= 200 && status < 300)
      },
    )
    request.once('timeout', () => request.destroy())
    request.once('error', () => resolve(false))
  })
}

/** Sleeps `ms`, waking early when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Resolves true once the probe passes, false at the deadline or when `signal` aborts (process gone). */
export async function waitUntilReady(
  port: number,
  probe: ReadinessProbe,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const started = Date.now()
  const deadline = started + timeoutMs
  // A probe is one loopback connect (or GET): cheap, and refused at once while nothing listens. A fine
  // step keeps a call held at zero from waiting up to a whole interval after the process is up (scale
  // from zero's first byte is measured): every 5 ms while a quick start is likely, then up to 25 ms.
  let interval = 5
  while (!signal.aborted && Date.now() < deadline) {
    if (await probeOnce(port, probe)) return !signal.aborted
    await pause(Math.min(interval, Math.max(0, deadline - Date.now())), signal)
    if (Date.now() - started > FINE_PROBING_MS) interval = Math.min(interval * 2, 25)
  }
  return false
}
