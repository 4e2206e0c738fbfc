import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { resolveAdminCredentials } from '../../src/runtime/node/credentials.ts'

describe('admin credentials on Node', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgefaas-creds-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('prefers EDGEFAAS_ADMIN_PASSWORD', async () => {
    const config = loadConfig({
      EDGEFAAS_DATA_DIR: dir,
      EDGEFAAS_ADMIN_USER: 'ops',
      EDGEFAAS_ADMIN_PASSWORD: 'from-the-env',
    })
    expect(await resolveAdminCredentials(config)).toEqual({
      credentials: { user: 'ops', password: 'from-the-env' },
      source: 'environment',
    })
  })

  it("reads OpenFaaS's basic-auth files (basic_auth=true, secret_mount_path), trimmed", async () => {
    await writeFile(join(dir, 'basic-auth-user'), 'admin\n')
    await writeFile(join(dir, 'basic-auth-password'), '  s3cr3t-from-file \n')
    const config = loadConfig({ EDGEFAAS_DATA_DIR: dir, basic_auth: 'true', secret_mount_path: dir })
    expect(await resolveAdminCredentials(config)).toEqual({
      credentials: { user: 'admin', password: 's3cr3t-from-file' },
      source: 'openfaas-secret-files',
    })
  })

  it('says which folder it could not read', async () => {
    const config = loadConfig({
      EDGEFAAS_DATA_DIR: dir,
      basic_auth: 'true',
      secret_mount_path: join(dir, 'missing'),
    })
    await expect(resolveAdminCredentials(config)).rejects.toThrow(
      /credential files in .*missing cannot be read/,
    )
  })

  it('generates once, saves with 0600, and reuses the saved ones', async () => {
    const config = loadConfig({ EDGEFAAS_DATA_DIR: dir })
    const first = await resolveAdminCredentials(config)
    expect(first.source).toBe('generated')
    expect(first.credentials.password.length).toBeGreaterThanOrEqual(20)
    expect((await stat(join(dir, 'admin-credentials.json'))).mode & 0o777).toBe(0o600)
    const second = await resolveAdminCredentials(config)
    expect(second).toEqual({ credentials: first.credentials, source: 'data-dir' })
  })
})
