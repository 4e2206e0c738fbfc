/**
 * @module
 * EDGEFAAS_BACKENDS_FILE on Node: reads the YAML file at start and upserts its backends into the store
 * (src/backends/file.ts has the format and the rules). A file that cannot be read or used stops the start
 * with a message naming the file and what to fix, rather than serving without the backends it names.
 */
import { readFile } from 'node:fs/promises'
import { BackendsFileError, parseBackendsFile, seedBackends } from '../../backends/file.ts'
import type { Logger } from '../../logger.ts'
import type { SecretCipher } from '../../store/cipher.ts'
import type { Store } from '../../store/types.ts'

export async function seedBackendsFile(
  path: string,
  options: {
    store: Store
    cipher: SecretCipher | null
    env: Record<string, string | undefined>
    defaultNamespace: string
    logger: Logger
  },
): Promise<void> {
  const where = `EDGEFAAS_BACKENDS_FILE ${path}`
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(`${where}: cannot be read (${code ?? String(error)})`, { cause: error })
  }
  try {
    const backends = parseBackendsFile(text, options.env, options.defaultNamespace)
    await seedBackends(options.store, options.cipher, backends, options.logger)
  } catch (error) {
    if (error instanceof BackendsFileError) throw new Error(`${where}: ${error.message}`, { cause: error })
    throw error
  }
}
