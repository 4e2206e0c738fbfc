/**
 * @module
 * The key that encrypts secrets at rest: EDGEFAAS_SECRETS_KEY, or a key file created with 0600
 * permissions in the data folder on first start. Losing the file makes stored secrets unreadable, so
 * docs/configuration.md tells production users to set the variable from their secret manager.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../../config.ts'
import { generateSecretsKey } from '../../store/cipher.ts'
import { tightenFile } from './private-files.ts'

export const SECRETS_KEY_FILE = 'secrets.key'

export async function resolveSecretsKey(config: Config): Promise<string> {
  if (config.secretsKey) return config.secretsKey
  const path = join(config.dataDir, SECRETS_KEY_FILE)
  tightenFile(path)
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const key = generateSecretsKey()
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' })
  return key
}
