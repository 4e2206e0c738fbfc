/**
 * @module
 * Options of the local provider and their defaults.
 */
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
   * `bwrap` requires bubblewrap and fails at creation without it; `none` runs functions as plain processes;
   * `auto` (default) uses bubblewrap when it is installed and allowed to create namespaces.
   */
  sandbox?: 'auto' | 'bwrap' | 'none'
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
    readinessTimeoutMs: options.readinessTimeoutMs ?? 30_000,
    stopGraceMs: options.stopGraceMs ?? 2_000,
    callTimeoutMs: options.callTimeoutMs ?? 60_000,
    logLinesPerInstance: options.logLinesPerInstance ?? 1_000,
    logger: options.logger ?? consoleLogger,
    allocatePort: options.allocatePort ?? freeLoopbackPort,
    nodePath: options.nodePath ?? process.execPath,
  }
}
