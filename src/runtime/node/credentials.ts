/**
 * @module
 * Where the admin credentials come from, in order: EDGEFAAS_ADMIN_PASSWORD (with EDGEFAAS_ADMIN_USER or
 * `admin`); OpenFaaS's `basic_auth=true` + `secret_mount_path` files; a file saved under the data folder
 * by an earlier start; or new ones, generated, saved with 0600 permissions and shown once.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AdminCredentials } from '../../auth/credentials.ts'
import type { Config } from '../../config.ts'
import { tightenFile } from './private-files.ts'

export const CREDENTIALS_FILE = 'admin-credentials.json'

export interface ResolvedCredentials {
  credentials: AdminCredentials
  source: 'environment' | 'openfaas-secret-files' | 'data-dir' | 'generated'
}

export async function resolveAdminCredentials(config: Config): Promise<ResolvedCredentials> {
  const user = config.adminUser ?? 'admin'
  if (config.adminPassword)
    return { credentials: { user, password: config.adminPassword }, source: 'environment' }
  if (config.openfaasSecretMountPath) {
    const dir = config.openfaasSecretMountPath
    const [fileUser, filePassword] = await Promise.all([
      readFile(join(dir, 'basic-auth-user'), 'utf8'),
      readFile(join(dir, 'basic-auth-password'), 'utf8'),
    ]).catch((cause: unknown) => {
      throw new Error(`basic_auth=true but the credential files in ${dir} cannot be read`, { cause })
    })
    return {
      credentials: { user: fileUser.trim(), password: filePassword.trim() },
      source: 'openfaas-secret-files',
    }
  }
  const path = join(config.dataDir, CREDENTIALS_FILE)
  tightenFile(path)
  const saved = await readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as AdminCredentials,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw error
    },
  )
  if (saved && typeof saved.user === 'string' && typeof saved.password === 'string') {
    return { credentials: saved, source: 'data-dir' }
  }
  const credentials = { user, password: randomBytes(18).toString('base64url') }
  // 'wx' refuses to overwrite a file another process created meanwhile.
  await writeFile(path, `${JSON.stringify(credentials)}\n`, { mode: 0o600, flag: 'wx' })
  return { credentials, source: 'generated' }
}
