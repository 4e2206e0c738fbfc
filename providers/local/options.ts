/**
 * @module
 * Options of the local provider and their defaults.
 */
import { DEFAULT_UID_RANGE, type FunctionUser, NOBODY, type UidRange } from './function-user.ts'
import { freeLoopbackPort } from './ports.ts'

/** Where the provider reports what it does; `console` fits, so does any structured logger. */
export interface LocalProviderLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export interface LocalProviderOptions {
  /** Folder for per-function secret files and work dirs (a `local/<pid>` subfolder is used). */
  dataDir: string
  /**
   * How functions are isolated (sandbox.ts has the details): `bwrap` requires bubblewrap; `user` requires
   * the gateway to be root and runs each function as its own uid; `none` runs them as the gateway's user.
   * `auto` (default): `bwrap` when bubblewrap works, else `user` when root, else creation fails.
   * `bwrap` and `user` fail at creation when they cannot be had.
   */
  sandbox?: 'auto' | 'bwrap' | 'user' | 'none'
  /** Who functions run as in the bubblewrap sandbox when the gateway is root. Default nobody (65534:65534). */
  sandboxUser?: FunctionUser
  /** Where `user` mode takes each function's uid from. Default 1879048192 and the 16777215 above it. */
  userUids?: UidRange
  /** `user` mode keeps functions' secrets and work folders here, outside the data folder. Default /run/edgefaas. */
  runDir?: string
  /** How long a replica may take to become ready before it is restarted. Default 30 s. */
  readinessTimeoutMs?: number
  /** Time between SIGTERM and SIGKILL when stopping a replica. Default 2 s. */
  stopGraceMs?: number
  /**
   * A function's timeout when it sets no `edgefaas.dev/timeout`, and the cap on it: the classic watchdog's
   * default `exec_timeout` and the longest wait for a draining replica. The gateway passes its upstream
   * timeout. Default 60 s.
   */
  callTimeoutMs?: number
  /** Log lines kept per instance. Default 1000. */
  logLinesPerInstance?: number
  logger?: LocalProviderLogger
  /** Chooses a free loopback port for a replica. Default: ask the OS. */
  allocatePort?: () => Promise<number>
  /** Node.js binary that runs the classic watchdog. Default `process.execPath` (it must strip TypeScript: Node ≥ 22.18). */
  nodePath?: string
}

export type ResolvedOptions = Required<LocalProviderOptions>

const consoleLogger: LocalProviderLogger = {
  info: (message) => console.info(`[local] ${message}`),
  warn: (message) => console.warn(`[local] ${message}`),
  error: (message) => console.error(`[local] ${message}`),
}

export function resolveOptions(options: LocalProviderOptions): ResolvedOptions {
  return {
    dataDir: options.dataDir,
    sandbox: options.sandbox ?? 'auto',
    sandboxUser: options.sandboxUser ?? NOBODY,
    userUids: options.userUids ?? DEFAULT_UID_RANGE,
    runDir: options.runDir ?? '/run/edgefaas',
    readinessTimeoutMs: options.readinessTimeoutMs ?? 30_000,
    stopGraceMs: options.stopGraceMs ?? 2_000,
    callTimeoutMs: options.callTimeoutMs ?? 60_000,
    logLinesPerInstance: options.logLinesPerInstance ?? 1_000,
    logger: options.logger ?? consoleLogger,
    allocatePort: options.allocatePort ?? freeLoopbackPort,
    nodePath: options.nodePath ?? process.execPath,
  }
}
