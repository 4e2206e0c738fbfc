/**
 * @module
 * One replica: a supervised process on its own loopback port. It loops start → wait ready → serve →
 * exit, restarting with a capped backoff until stopped, like a pod whose container restarts. A replica
 * that never becomes ready before the deadline is killed and restarted the same way.
 *
 * It counts the calls it is serving, so it can leave service without dropping one: `retire()` takes it
 * out of routing, waits for those calls (bounded), then stops it, as Kubernetes takes a terminating pod
 * out of its Service's endpoints before sending SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { LaunchPlan } from './launch.ts'
import { forEachLine } from './lines.ts'
import { exitOf, terminateGroup, trackGroup } from './processes.ts'
import { pause, waitUntilReady } from './readiness.ts'

export interface ReplicaOptions {
  id: string
  version: string
  plan(port: number): LaunchPlan
  allocatePort(): Promise<number>
  readinessTimeoutMs: number
  stopGraceMs: number
  /** The longest retire() waits for in-flight calls: the timeout of the function version it runs. */
  drainTimeoutMs: number
  /** One line of the process's output, or a note from the supervisor about it. */
  onLine(instance: string, text: string): void
  /** Called whenever `ready` flips. */
  onReadyChange(): void
}

const BACKOFF_MIN_MS = 250
const BACKOFF_MAX_MS = 10_000
/** A replica that stayed ready this long is healthy again: its next crash restarts it at once. */
const STABLE_MS = 10_000

export class Replica {
  readonly id: string
  readonly version: string
  ready = false
  port = 0
  pid: number | undefined
  readonly #options: ReplicaOptions
  readonly #stop = new AbortController()
  #child: ChildProcess | undefined
  #done: Promise<void> = Promise.resolve()
  #inflight = 0
  #draining = false
  /** Bumped by every retire() and resume(), so a retire() overtaken by either does not stop the process. */
  #retirement = 0
  /** Wakes the retire() waiting for in-flight calls: when the last ends, or on resume(). */
  #wake: (() => void) | undefined

  constructor(options: ReplicaOptions) {
    this.id = options.id
    this.version = options.version
    this.#options = options
  }

  get stopping(): boolean {
    return this.#stop.signal.aborted
  }

  /** True when new calls may be sent here: ready, and not leaving service. */
  get routable(): boolean {
    return this.ready && !this.#draining && !this.stopping
  }

  /** Counts one call to this replica until the returned function is called (once is enough; more are ignored). */
  enter(): () => void {
    this.#inflight++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.#inflight--
      if (this.#inflight === 0) this.#wake?.()
    }
  }

  /**
   * Takes the replica out of routing, lets its in-flight calls finish (for at most `drainTimeoutMs`),
   * then stops it. Resolves true once stopped; false when resume() brought it back first.
   */
  async retire(): Promise<boolean> {
    const retirement = ++this.#retirement
    this.#draining = true
    await this.#idle(this.#options.drainTimeoutMs)
    // Checked and acted on in one step: stop() marks the replica stopping before anything else can run.
    if (!this.#draining || retirement !== this.#retirement) return false
    await this.stop()
    return true
  }

  /** Puts a retiring replica back in service; false when it is already stopping (or was never retiring). */
  resume(): boolean {
    if (this.stopping || !this.#draining) return false
    this.#draining = false
    this.#retirement++
    this.#wake?.()
    return true
  }

  /** Resolves when no call is in flight, after `timeoutMs`, on stop() or on resume(). */
  #idle(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0 || this.stopping) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#stop.signal.removeEventListener('abort', done)
        if (this.#wake === done) this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      timer.unref()
      this.#wake?.()
      this.#wake = done
      this.#stop.signal.addEventListener('abort', done, { once: true })
    })
  }

  start(): void {
    // Only a bug or an exhausted host (spawn throwing EAGAIN) gets here; the replica then stays not ready.
    this.#done = this.#run().catch((error: unknown) => {
      this.#options.onLine(this.id, `edgefaas: replica supervisor failed: ${String(error)}`)
    })
  }

  /** Stops the process group and the restart loop; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.#stop.abort()
    if (this.#child) await terminateGroup(this.#child, this.#options.stopGraceMs)
    await this.#done
  }

  #setReady(ready: boolean): void {
    if (this.ready === ready) return
    this.ready = ready
    this.#options.onReadyChange()
  }

  async #run(): Promise<void> {
    const options = this.#options
    let failures = 0
    while (!this.stopping) {
      const port = await options.allocatePort().catch((error: unknown) => {
        options.onLine(this.id, `edgefaas: no free port (${String(error)}); retrying`)
        return 0
      })
      if (this.stopping) return
      if (port === 0) {
        await pause(BACKOFF_MAX_MS / 10, this.#stop.signal)
        continue
      }
      const plan = options.plan(port)
      const child = spawn(plan.command, plan.args, {
        cwd: plan.cwd,
        env: plan.env,
        detached: true,
        stdio: [plan.stdin, 'pipe', 'pipe'],
      })
      this.#child = child
      this.pid = child.pid
      this.port = port
      trackGroup(child)
      let spawnError: Error | undefined
      child.once('error', (error) => {
        spawnError ??= error
      })
      forEachLine(child.stdout!, (line) => options.onLine(this.id, line))
      forEachLine(child.stderr!, (line) => options.onLine(this.id, line))
      const exited = exitOf(child)
      const gone = new AbortController()
      void exited.then(() => gone.abort())
      const startedAt = Date.now()
      const ready = await waitUntilReady(
        port,
        plan.probe,
        options.readinessTimeoutMs,
        AbortSignal.any([gone.signal, this.#stop.signal]),
      )
      if (ready) this.#setReady(true)
      else if (!gone.signal.aborted && !this.stopping) {
        options.onLine(this.id, `edgefaas: not ready after ${options.readinessTimeoutMs} ms, restarting`)
        await terminateGroup(child, options.stopGraceMs)
      }
      const { code, signal } = await exited
      this.#setReady(false)
      this.pid = undefined
      if (this.stopping) return
      failures = ready && Date.now() - startedAt > STABLE_MS ? 0 : failures + 1
      const delay = failures === 0 ? 0 : Math.min(BACKOFF_MIN_MS * 2 ** (failures - 1), BACKOFF_MAX_MS)
      const cause = spawnError
        ? `could not start ${plan.command}: ${spawnError.message}`
        : `exited (${signal ?? `code ${code}`})`
      options.onLine(this.id, `edgefaas: process ${cause}; restarting in ${delay} ms`)
      await pause(delay, this.#stop.signal)
    }
  }
}
