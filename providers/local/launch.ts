/**
 * @module
 * What one replica process is: command, arguments, environment and readiness probe, for the two modes.
 *
 * - classic (default): our watchdog (watchdog.ts) listens on the port and forks `envProcess` per request.
 * - http (`envVars.mode == "http"`, like of-watchdog): `envProcess` is the server itself, told its port in
 *   `PORT` and `http_port`; ready when the `com.openfaas.ready.http.path` answers 2xx, else on TCP connect.
 *
 * Isolation (sandbox.ts): `bwrap` wraps the command in bubblewrap (and, gateway being root, setpriv to
 * the function's user inside it); `user` wraps it in setpriv to the function's own uid; `none` runs it as
 * is. Outside bubblewrap, setpriv also asks the kernel to kill the replica when the gateway dies.
 *
 * Secrets: in the sandbox they are mounted at /var/openfaas/secrets. Without it there is no per-function
 * mount, so the files stay in the function's folder, `OPENFAAS_SECRETS_DIR` points there, and command
 * arguments under /var/openfaas/secrets/ are rewritten to it (so `cat /var/openfaas/secrets/x` works);
 * a program that builds the path itself will not find its secrets.
 *
 * The gateway's own environment is not passed on (it holds the gateway's credentials): only PATH, plus
 * HOME, HOSTNAME (and TMPDIR in `user` mode, where the host's /tmp is shared), then the function's envVars.
 */
import { fileURLToPath } from 'node:url'
import type { FunctionDeployment } from '../../src/contract/types.ts'
import { type FunctionUser, setprivArgs } from './function-user.ts'
import { processOf } from './process-of.ts'
import type { ReadinessProbe } from './readiness.ts'
import { type SandboxMode, SECRETS_MOUNT, sandboxArgs } from './sandbox.ts'

export interface LaunchPlan {
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string
  /** The classic watchdog exits when this pipe closes, i.e. when the gateway dies. */
  stdin: 'pipe' | 'ignore'
  probe: ReadinessProbe
}

export interface LaunchContext {
  spec: Omit<FunctionDeployment, 'service' | 'namespace'>
  instance: string
  sandbox: SandboxMode
  /** Start unsandboxed processes through `setpriv --pdeathsig` (see sandbox.ts and deathSignal). */
  parentDeathSignal: boolean
  secretsDir: string
  workDir: string
  /** Folders the sandbox hides (the provider's data dir). */
  hidden: readonly string[]
  /** Folders the sandbox keeps readable although under /tmp (see sandbox.ts). */
  visible: readonly string[]
  nodePath: string
  /**
   * Who the function runs as when not the gateway's user (the gateway is root): the sandbox's user in
   * `bwrap` mode, the function's own uid in `user` mode. It also owns the function's files.
   */
  user?: FunctionUser
}

/** How every replica of one function is run, whatever its spec. */
export type RunnerSettings = Pick<
  LaunchContext,
  'sandbox' | 'parentDeathSignal' | 'hidden' | 'visible' | 'nodePath' | 'user'
>

export const READY_PATH_ANNOTATION = 'com.openfaas.ready.http.path'
/** The classic watchdog, which replicas must be able to read. */
export const WATCHDOG = fileURLToPath(new URL('./watchdog.ts', import.meta.url))
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export function isHttpMode(spec: LaunchContext['spec']): boolean {
  return spec.envVars?.mode === 'http'
}

function words(command: string): string[] {
  return command.trim().split(/\s+/).filter(Boolean)
}

function visibleSecretsDir(context: LaunchContext): string {
  return context.sandbox === 'bwrap' ? SECRETS_MOUNT : context.secretsDir
}

function rewriteSecretPaths(args: string[], context: LaunchContext): string[] {
  if (context.sandbox === 'bwrap') return args
  return args.map((arg) =>
    arg === SECRETS_MOUNT || arg.startsWith(`${SECRETS_MOUNT}/`)
      ? context.secretsDir + arg.slice(SECRETS_MOUNT.length)
      : arg,
  )
}

/**
 * The signal the kernel sends an unsandboxed replica when the gateway dies. The classic watchdog gets
 * TERM, which it handles by killing the process groups of its running calls before it exits: with KILL
 * those calls would outlive it. An HTTP-mode server has no calls of its own to end, so it gets KILL.
 */
function deathSignal(spec: LaunchContext['spec']): 'TERM' | 'KILL' {
  return isHttpMode(spec) ? 'KILL' : 'TERM'
}

/** The process to start for one replica listening on `port`. */
export function planLaunch(context: LaunchContext, port: number): LaunchPlan {
  const { spec } = context
  const argv = rewriteSecretPaths(words(processOf(spec)), context)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? DEFAULT_PATH,
    HOME: context.sandbox === 'bwrap' ? '/tmp' : context.workDir,
    HOSTNAME: context.instance,
    OPENFAAS_SECRETS_DIR: visibleSecretsDir(context),
    ...(context.sandbox === 'user' ? { TMPDIR: context.workDir } : {}),
    ...spec.envVars,
  }
  let command: string
  let args: string[]
  let plan: Pick<LaunchPlan, 'stdin' | 'probe'>
  if (isHttpMode(spec)) {
    command = argv[0] ?? ''
    args = argv.slice(1)
    Object.assign(env, { PORT: String(port), http_port: String(port) })
    const readyPath = spec.annotations?.[READY_PATH_ANNOTATION]
    plan = { stdin: 'ignore', probe: readyPath ? { kind: 'http', path: readyPath } : { kind: 'tcp' } }
  } else {
    command = context.nodePath
    args = ['--disable-warning=ExperimentalWarning', WATCHDOG, '--exit-with-stdin']
    Object.assign(env, { fprocess: argv.join(' '), port: String(port) })
    plan = { stdin: 'pipe', probe: { kind: 'http', path: '/_/health' } }
  }
  if (context.sandbox === 'bwrap') {
    const { secretsDir, hidden, visible, user } = context
    args = [...sandboxArgs({ secretsDir, hidden, visible, user }), command, ...args]
    command = 'bwrap'
  } else if (context.sandbox === 'user') {
    // Fail closed: a missing user must never mean running as root.
    if (!context.user) throw new Error('user isolation was chosen but the function has no user')
    args = [...setprivArgs(context.user), '--pdeathsig', deathSignal(spec), '--', command, ...args]
    command = 'setpriv'
  } else if (context.parentDeathSignal) {
    args = ['--pdeathsig', deathSignal(spec), '--', command, ...args]
    command = 'setpriv'
  }
  return { command, args, env, cwd: context.workDir, ...plan }
}
