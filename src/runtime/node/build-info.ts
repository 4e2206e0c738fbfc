/**
 * @module
 * Version details on Node: the commit from EDGEFAAS_BUILD_SHA or the git checkout the gateway runs from,
 * and the architecture in Docker's naming, as /system/info reports them.
 */
import { execFile } from 'node:child_process'
import { arch } from 'node:process'
import { fileURLToPath } from 'node:url'
import type { VersionInfo } from '../../contract/types.ts'
import { RELEASE } from '../../version.ts'

export async function buildInfo(
  configuredSha: string | undefined,
): Promise<{ version: VersionInfo; arch: string }> {
  const sha = configuredSha ?? (await gitSha()) ?? 'unknown'
  return { version: { sha, release: RELEASE }, arch: dockerArch(arch) }
}

function gitSha(): Promise<string | null> {
  const cwd = fileURLToPath(new URL('.', import.meta.url))
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, timeout: 2000 }, (error, stdout) => {
      resolve(error ? null : stdout.trim() || null)
    })
  })
}

function dockerArch(nodeArch: string): string {
  if (nodeArch === 'x64') return 'amd64'
  if (nodeArch === 'ia32') return '386'
  return nodeArch
}
