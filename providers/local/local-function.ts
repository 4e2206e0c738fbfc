/**
 * @module
 * One function on this host: its replicas, grouped by spec version. Scaling starts or retires replicas of
 * the current version. A new version (changed spec or secrets) rolls, like a Kubernetes Deployment with
 * maxUnavailable 0: its replicas start at once and the old ones keep serving until the new ones are all
 * ready (or right away when scaled to zero).
 *
 * A replica leaves service by retiring: it takes no new call, finishes the ones it has (for at most the
 * function's timeout), then stops; so neither a scale-down nor an update drops a call. A scale-up takes
 * back a retiring replica of the current version before starting a new one. remove() (a deleted function,
 * or the provider closing) does not wait: it stops everything, each process with its stop grace.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { functionTimeoutMs } from '../../src/contract/function-timeout.ts'
import type { DesiredFunction, InstanceInfo, ObservedFunction } from '../types.ts'
import { removeTree, versionOf, writeSecrets } from './files.ts'
import { isHttpMode, type LaunchContext, planLaunch, type RunnerSettings } from './launch.ts'
import { LogStore } from './log-store.ts'
import { Replica } from './replica.ts'

export interface LocalFunctionOptions {
  namespace: string
  name: string
  /** Folder of this function's versions, under the provider's root. */
  dir: string
  runner: RunnerSettings
  allocatePort(): Promise<number>
  readinessTimeoutMs: number
  stopGraceMs: number
  /** The function's timeout unless its `edgefaas.dev/timeout` sets a shorter one. */
  callTimeoutMs: number
  logLinesPerInstance: number
  /** A replica turned ready (a call held at zero can go now). */
  onReady?: () => void
  /** The routable replicas may have changed (readiness, a retire, a resume, a new version, removal). */
  onRoutingChange?: () => void
}

/** A replica that may take new calls, as another process choosing replicas itself sees it. */
export interface RoutableReplica {
  readonly replica: Replica
  /** Of the current version: the pick prefers these (see LocalFunction.pick). */
  readonly current: boolean
}

/**
 * The spec a classic replica runs with: its watchdog's `exec_timeout` is the function's timeout, so no
 * forked process outlives it; an `exec_timeout` the function sets itself is kept, as in OpenFaaS.
 */
function withExecTimeout(spec: DesiredFunction['spec'], timeoutMs: number): DesiredFunction['spec'] {
  if (isHttpMode(spec) || spec.envVars?.exec_timeout !== undefined) return spec
  return { ...spec, envVars: { ...spec.envVars, exec_timeout: `${timeoutMs}ms` } }
}

function shortId(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  return [...randomBytes(5)].map((byte) => alphabet[byte % alphabet.length]).join('')
}

export class LocalFunction {
  readonly logs: LogStore
  readonly #options: LocalFunctionOptions
  /** Replicas in service (ready or starting), of any version. */
  #replicas: Replica[] = []
  /** Replicas leaving service: draining their calls, or stopping. */
  readonly #retiring = new Set<Replica>()
  readonly #stopping = new Set<Promise<void>>()
  #desired = 0
  #version = ''
  #context: Omit<LaunchContext, 'instance'> | undefined
  /** The current version's timeout: how long its replicas may take to drain. */
  #timeoutMs = 0
  #next = 0
  #removed = false
  #updates: Promise<void> = Promise.resolve()

  constructor(options: LocalFunctionOptions) {
    this.#options = options
    this.logs = new LogStore(options.name, options.namespace, options.logLinesPerInstance)
  }

  /** Writes the version's secrets if it is new, then converges on `desired`. Updates run one at a time. */
  update(desired: DesiredFunction): Promise<void> {
    const next = this.#updates.then(() => this.#update(desired))
    this.#updates = next.catch(() => {})
    return next
  }

  async #update(desired: DesiredFunction): Promise<void> {
    const version = versionOf(desired)
    if (version !== this.#version) {
      const dir = path.join(this.#options.dir, version)
      const secretsDir = await writeSecrets(dir, desired, this.#options.runner.user)
      if (this.#removed) return void (await removeTree(dir))
      this.#timeoutMs = functionTimeoutMs(desired.spec.annotations, this.#options.callTimeoutMs)
      this.#context = {
        ...this.#options.runner,
        spec: withExecTimeout(desired.spec, this.#timeoutMs),
        secretsDir,
        workDir: path.join(dir, 'work'),
      }
      this.#version = version
    }
    this.scale(desired.replicas)
  }

  scale(replicas: number): void {
    this.#desired = Math.max(0, Math.floor(replicas))
    this.#reconcile()
  }

  /** True once a version has been set up (the first update succeeded). */
  get deployed(): boolean {
    return this.#version !== ''
  }

  /** Ready replicas of any version count as available, as in a Kubernetes rolling update. */
  observed(): ObservedFunction {
    const available = this.#replicas.filter((r) => r.routable).length
    return { replicas: this.#desired, availableReplicas: Math.min(available, this.#desired) }
  }

  /** Every running replica, those still finishing their calls too (not ready: they take no new call). */
  instances(): InstanceInfo[] {
    return [...this.#replicas, ...this.#retiring].map((r) =>
      r.pid === undefined ? { id: r.id, ready: r.routable } : { id: r.id, ready: r.routable, pid: r.pid },
    )
  }

  /** The next routable replica, round-robin; replicas of the current version first. */
  pick(): Replica | undefined {
    // One replica of the current version (the usual case): no arrays built on the hot path.
    if (this.#replicas.length === 1) {
      const only = this.#replicas[0]!
      return only.routable ? only : undefined
    }
    const ready = this.#replicas.filter((r) => r.routable)
    const current = ready.filter((r) => r.version === this.#version)
    const pool = current.length > 0 ? current : ready
    if (pool.length === 0) return undefined
    this.#next = (this.#next + 1) % pool.length
    return pool[this.#next]
  }

  /** The replicas pick() chooses from, each marked current or not; same order as pick() walks them. */
  routable(): RoutableReplica[] {
    return this.#replicas
      .filter((r) => r.routable)
      .map((replica) => ({ replica, current: replica.version === this.#version }))
  }

  /** Stops every replica without waiting for their calls, removes the function's files, ends log followers. */
  async remove(): Promise<void> {
    this.#removed = true
    this.#desired = 0
    const all = [...this.#replicas, ...this.#retiring]
    this.#replicas = []
    this.#retiring.clear()
    this.#options.onRoutingChange?.()
    await Promise.all(all.map((replica) => replica.stop()))
    while (this.#stopping.size > 0) await Promise.all(this.#stopping)
    await removeTree(this.#options.dir)
    this.logs.close()
  }

  #reconcile(): void {
    const context = this.#context
    if (this.#removed || !context) return
    const current = this.#replicas.filter((r) => r.version === this.#version)
    // A retiring replica of this version is running already: taking it back beats starting one.
    for (const replica of this.#retiring) {
      if (current.length >= this.#desired) break
      if (replica.version !== this.#version || !replica.resume()) continue
      this.#retiring.delete(replica)
      current.push(replica)
      this.#replicas.push(replica)
    }
    for (let n = current.length; n < this.#desired; n++) {
      const replica = this.#startReplica(context)
      current.push(replica)
      this.#replicas.push(replica)
    }
    // Scale down the least useful first: replicas not ready yet, then the newest.
    const surplus = [...current]
      .reverse()
      .sort((a, b) => Number(a.ready) - Number(b.ready))
      .slice(0, current.length - this.#desired)
    const readyCurrent = current.filter((r) => r.ready && !surplus.includes(r)).length
    const retireOld = this.#desired === 0 || readyCurrent >= this.#desired
    const old = retireOld ? this.#replicas.filter((r) => r.version !== this.#version) : []
    for (const replica of [...surplus, ...old]) this.#retire(replica)
    this.#replicas = this.#replicas.filter((r) => !surplus.includes(r) && !old.includes(r))
    // Every change of what pick() may return passes through here (ready flips call #reconcile too).
    this.#options.onRoutingChange?.()
  }

  #startReplica(context: Omit<LaunchContext, 'instance'>): Replica {
    const id = `${this.#options.name}-${this.#version.slice(0, 8)}-${shortId()}`
    const replica = new Replica({
      id,
      version: this.#version,
      plan: (port) => planLaunch({ ...context, instance: id }, port),
      allocatePort: this.#options.allocatePort,
      readinessTimeoutMs: this.#options.readinessTimeoutMs,
      stopGraceMs: this.#options.stopGraceMs,
      drainTimeoutMs: this.#timeoutMs,
      onLine: (instance, text) => this.logs.push(instance, text),
      onReadyChange: () => {
        this.#reconcile()
        if (replica.routable) this.#options.onReady?.()
      },
    })
    replica.start()
    return replica
  }

  /** Drains then stops `replica` in the background; remove() waits for what is still going on. */
  #retire(replica: Replica): void {
    this.#retiring.add(replica)
    const retired: Promise<void> = replica
      .retire()
      .then((stopped) => {
        if (!stopped) return // taken back into service
        this.#retiring.delete(replica)
        this.logs.retire(replica.id)
        return this.#cleanVersion(replica.version)
      })
      .finally(() => this.#stopping.delete(retired))
    this.#stopping.add(retired)
  }

  async #cleanVersion(version: string): Promise<void> {
    if (this.#removed || version === this.#version) return
    if ([...this.#replicas, ...this.#retiring].some((r) => r.version === version)) return
    await removeTree(path.join(this.#options.dir, version))
  }
}
