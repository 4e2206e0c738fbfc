/**
 * @module
 * Shared set-up for the local provider's tests: a provider on a fresh temp data dir with a quiet logger,
 * the deployables of the conformance suite, and a check for live process groups.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  createLocalProvider,
  type LocalProvider,
  type LocalProviderLogger,
} from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import { functionRequest, type ProviderSuiteDeployable, waitFor } from '../conformance/provider.suite.ts'
import { nodeCommand } from '../fixtures/functions/index.ts'

export const quietLogger: LocalProviderLogger = { info() {}, warn() {}, error() {} }

const dataDirs = new Set<string>()

/** A fresh temporary data dir, removed by `removeDataDirs()`. */
export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefaas-local-'))
  dataDirs.add(dir)
  return dir
}

/** Removes the data dirs made by `tempDataDir()`; call after the providers using them are closed. */
export function removeDataDirs(): void {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true })
  dataDirs.clear()
}

/** A local provider on its own temporary data dir. */
export function localProvider(
  sandbox: 'bwrap' | 'user' | 'none',
  readinessTimeoutMs = 20_000,
): LocalProvider {
  const dataDir = tempDataDir()
  return createLocalProvider({
    dataDir,
    sandbox,
    logger: quietLogger,
    readinessTimeoutMs,
    stopGraceMs: 1_000,
  })
}

export const localDeployable: ProviderSuiteDeployable = {
  env: { image: 'functions/alpine:latest', envProcess: 'env' },
  echo: { image: 'functions/alpine:latest', envProcess: 'cat' },
  redirect: {
    image: 'theaxer/redirector:latest',
    envProcess: nodeCommand('redirect.ts'),
    envVars: { mode: 'http' },
  },
  secret: (name) => ({ image: 'functions/alpine:latest', envProcess: `cat /var/openfaas/secrets/${name}` }),
}

/** Whether bubblewrap can sandbox here (installed and allowed to create namespaces). */
export const bwrapWorks: boolean = (() => {
  const result = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--', 'true'])
  return result.status === 0
})()

/** Whether this test runs as root, the only user that can start functions as other users. */
export const isRoot: boolean = process.getuid?.() === 0

/** Whether util-linux `setpriv` can switch users here (root, and setpriv installed). */
export const setprivWorks: boolean =
  isRoot &&
  spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', '--', 'true']).status === 0

/** True while any process of the group led by `pid` exists. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

export const namespace = 'openfaas-fn'
let counter = 0

/** A classic-mode function running `envProcess` (default `cat`). */
export function classicFunction(replicas = 1, envProcess = 'cat'): DesiredFunction {
  const spec = { image: 'functions/alpine:latest', envProcess }
  return { name: `classic-${++counter}`, namespace, spec, replicas, generation: 1, secrets: {} }
}

/** An HTTP-mode function running the http-server fixture, ready on `/_/ready`. */
export function httpFunction(envVars: Record<string, string> = {}, replicas = 1): DesiredFunction {
  const spec = {
    image: 'x',
    envProcess: nodeCommand('http-server.ts'),
    envVars: { mode: 'http', ...envVars },
    annotations: { 'com.openfaas.ready.http.path': '/_/ready' },
  }
  return { name: `http-${++counter}`, namespace, spec, replicas, generation: 1, secrets: {} }
}

/**
 * A classic-mode function running `sh`: the body of each call is the script it runs, so a test can try
 * anything function code could. `secrets` are given to it by name.
 */
export function shellFunction(secrets: Record<string, string> = {}): DesiredFunction {
  const spec = { image: 'functions/alpine:latest', envProcess: 'sh', secrets: Object.keys(secrets) }
  const bytes = Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [name, new TextEncoder().encode(value)]),
  )
  return { name: `shell-${++counter}`, namespace, spec, replicas: 1, generation: 1, secrets: bytes }
}

/** Runs `script` in a shellFunction; its combined output and the watchdog's status (500 on failure). */
export async function runShell(
  provider: LocalProvider,
  desired: DesiredFunction,
  script: string,
): Promise<{ status: number; text: string }> {
  const init = { method: 'POST', body: script }
  const response = await provider.invoke(
    namespace,
    desired.name,
    '/',
    functionRequest(desired.name, '/', init),
  )
  return { status: response.status, text: await response.text() }
}

/** Applies `desired` and waits until all its replicas are available. */
export async function deployReady(
  provider: LocalProvider,
  desired: DesiredFunction,
): Promise<DesiredFunction> {
  await provider.apply(desired)
  const ready = (s: { availableReplicas: number } | null) => s?.availableReplicas === desired.replicas
  await waitFor(`${desired.name} ready`, () => provider.status(namespace, desired.name), ready)
  return desired
}

/** PIDs of the function's current replica processes. */
export async function replicaPids(provider: LocalProvider, desired: DesiredFunction): Promise<number[]> {
  return (await provider.instances(namespace, desired.name)).flatMap((i) =>
    i.pid === undefined ? [] : [i.pid],
  )
}
