/**
 * The data folder holds the admin credentials, the secrets key and the database: after a start it is
 * 0700 and those files 0600, whether the gateway created them or found them with wider modes (a folder
 * made by hand, files from an older version or a restored backup, WAL files left by a crash).
 */
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/logger.ts'
import { startGateway } from '../../src/runtime/node/gateway.ts'
import { generateSecretsKey } from '../../src/store/cipher.ts'

const mode = async (path: string) => (await stat(path)).mode & 0o777

describe('data folder permissions', () => {
  let root: string
  afterEach(() => rm(root, { recursive: true, force: true }))

  async function start(dataDir: string) {
    const config = loadConfig({
      EDGEFAAS_PORT: '0',
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_WORKER: 'false',
    })
    return startGateway(config, silentLogger)
  }

  it('creates a missing folder 0700 and every file in it 0600, under the usual umask', async () => {
    root = await mkdtemp(join(tmpdir(), 'edgefaas-perm-'))
    const previous = process.umask(0o022)
    try {
      const dataDir = join(root, 'fresh', 'data')
      const gateway = await start(dataDir)
      // A write, so the database has its WAL and shared-memory files while the gateway runs.
      await gateway.deps.store.createNamespace({ name: 'perm-check', labels: {}, annotations: {} })
      expect(await mode(dataDir)).toBe(0o700)
      for (const file of [
        'edgefaas.db',
        'edgefaas.db-wal',
        'edgefaas.db-shm',
        'admin-credentials.json',
        'secrets.key',
      ]) {
        expect(await mode(join(dataDir, file)), file).toBe(0o600)
      }
      await gateway.close()
    } finally {
      process.umask(previous)
    }
  })

  it('tightens a folder and files that already exist with wider modes', async () => {
    root = await mkdtemp(join(tmpdir(), 'edgefaas-perm-'))
    const dataDir = join(root, 'data')
    await mkdir(dataDir)
    await chmod(dataDir, 0o755)
    const db = new DatabaseSync(join(dataDir, 'edgefaas.db'))
    db.exec('PRAGMA journal_mode = WAL')
    db.close()
    await writeFile(join(dataDir, 'edgefaas.db-wal'), '')
    await writeFile(join(dataDir, 'edgefaas.db-shm'), '')
    await writeFile(
      join(dataDir, 'admin-credentials.json'),
      JSON.stringify({ user: 'admin', password: 'pw' }),
    )
    await writeFile(join(dataDir, 'secrets.key'), `${generateSecretsKey()}\n`)
    const files = [
      'edgefaas.db',
      'edgefaas.db-wal',
      'edgefaas.db-shm',
      'admin-credentials.json',
      'secrets.key',
    ]
    for (const file of files) await chmod(join(dataDir, file), 0o644)

    const gateway = await start(dataDir)
    expect(gateway.credentials?.source).toBe('data-dir')
    expect(await mode(dataDir)).toBe(0o700)
    for (const file of files) expect(await mode(join(dataDir, file)), file).toBe(0o600)
    await gateway.close()
  })
})
