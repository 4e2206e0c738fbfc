import { describe, expect, it } from 'vitest'
import pkg from '../package.json' with { type: 'json' }
import { ConfigError, loadConfig } from '../src/config.ts'
import { RELEASE } from '../src/version.ts'

describe('loadConfig', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      databaseUrl: '',
      basicAuth: true,
      defaultNamespace: 'openfaas-fn',
      defaultBackend: 'local',
    })
  })
  it('reads EDGEFAAS_ variables', () => {
    const c = loadConfig({
      EDGEFAAS_PORT: '9000',
      EDGEFAAS_DATA_DIR: '/tmp/x',
      EDGEFAAS_ADMIN_USER: 'ops',
      EDGEFAAS_ADMIN_PASSWORD: 'long-enough',
      EDGEFAAS_DATABASE_URL: 'postgres://h/db',
      EDGEFAAS_BASIC_AUTH: 'false',
    })
    expect(c).toMatchObject({
      port: 9000,
      dataDir: '/tmp/x',
      adminUser: 'ops',
      adminPassword: 'long-enough',
      databaseUrl: 'postgres://h/db',
      basicAuth: false,
    })
  })
  it('EDGEFAAS_PROCESSES: 1 by default, a count from 1 to 64, anything else refused by name', () => {
    expect(loadConfig({}).processes).toBe(1)
    expect(loadConfig({ EDGEFAAS_PROCESSES: 'auto' }).processes).toBe('auto')
    expect(loadConfig({ EDGEFAAS_PROCESSES: '4' }).processes).toBe(4)
    for (const bad of ['0', '65', 'two', '-1', '1.5']) {
      expect(() => loadConfig({ EDGEFAAS_PROCESSES: bad })).toThrow(/EDGEFAAS_PROCESSES/)
    }
  })

  it('EDGEFAAS_WIRE: the fast door on by default, turned off by false, anything else refused by name', () => {
    expect(loadConfig({}).wire).toBe(true)
    expect(loadConfig({ EDGEFAAS_WIRE: 'false' }).wire).toBe(false)
    expect(() => loadConfig({ EDGEFAAS_WIRE: 'fast' })).toThrow(/EDGEFAAS_WIRE: must be true or false/)
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ EDGEFAAS_PORT: '' }).port).toBe(8080)
  })
  it('names every bad variable', () => {
    let error: unknown
    try {
      loadConfig({
        EDGEFAAS_PORT: 'eighty',
        EDGEFAAS_ADMIN_PASSWORD: 'short',
        EDGEFAAS_BASIC_AUTH: 'maybe',
        EDGEFAAS_SECRETS_KEY: 'abc',
      })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toMatch(/EDGEFAAS_PORT: must be a whole number/)
    expect(message).toMatch(/EDGEFAAS_ADMIN_PASSWORD: must be at least 8 characters/)
    expect(message).toMatch(/EDGEFAAS_BASIC_AUTH: must be true or false/)
    expect(message).toMatch(/EDGEFAAS_SECRETS_KEY: must be 32 bytes/)
  })
  it('honours OpenFaaS basic_auth + secret_mount_path', () => {
    expect(
      loadConfig({ basic_auth: 'true', secret_mount_path: '/run/secrets/' }).openfaasSecretMountPath,
    ).toBe('/run/secrets/')
    expect(loadConfig({ secret_mount_path: '/x' }).openfaasSecretMountPath).toBeUndefined()
  })
  it('keeps RELEASE in step with package.json', () => {
    expect(RELEASE).toBe(pkg.version)
  })
})

describe('EDGEFAAS_CALLBACK_ALLOW', () => {
  it('is parsed at start into hosts and ranges', () => {
    const { callbackPolicy } = loadConfig({ EDGEFAAS_CALLBACK_ALLOW: '10.0.0.0/8, hooks.internal' })
    expect([...callbackPolicy.hosts]).toEqual(['hooks.internal'])
    expect(callbackPolicy.cidrs).toHaveLength(1)
  })
  it('refuses a bad entry with the variable named', () => {
    expect(() => loadConfig({ EDGEFAAS_CALLBACK_ALLOW: '10.0.0.0/99' })).toThrow(
      /EDGEFAAS_CALLBACK_ALLOW: "10.0.0.0\/99" is not a valid CIDR/,
    )
  })
})

describe('custom domains and ACME settings', () => {
  it('are off by default', () => {
    expect(loadConfig({})).toMatchObject({ tlsPort: undefined, acme: null })
  })

  it('read the TLS port and the ACME account, with directory shorthands', () => {
    const c = loadConfig({
      EDGEFAAS_TLS_PORT: '8443',
      EDGEFAAS_ACME_DIRECTORY_URL: 'letsencrypt-staging',
      EDGEFAAS_ACME_EMAIL: 'ops@example.com',
      EDGEFAAS_ACME_CA_FILE: '/etc/ca.pem',
      EDGEFAAS_ACME_EAB_KID: 'kid-1',
      EDGEFAAS_ACME_EAB_HMAC_KEY: 'aGVsbG8',
    })
    expect(c.tlsPort).toBe(8443)
    expect(c.acme).toEqual({
      directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      email: 'ops@example.com',
      caFile: '/etc/ca.pem',
      externalAccount: { kid: 'kid-1', hmacKey: 'aGVsbG8' },
    })
  })

  it.each([
    [{ EDGEFAAS_ACME_DIRECTORY_URL: 'http://acme.example/dir' }, 'EDGEFAAS_ACME_DIRECTORY_URL'],
    [{ EDGEFAAS_ACME_DIRECTORY_URL: 'not a url' }, 'EDGEFAAS_ACME_DIRECTORY_URL'],
    [{ EDGEFAAS_ACME_EMAIL: 'nobody' }, 'EDGEFAAS_ACME_EMAIL'],
    [{ EDGEFAAS_TLS_PORT: '70000' }, 'EDGEFAAS_TLS_PORT'],
    [{ EDGEFAAS_ACME_EAB_KID: 'kid-only' }, 'set both or neither'],
    [{ EDGEFAAS_TLS_PORT: '8080' }, 'EDGEFAAS_TLS_PORT: must differ'],
  ])('refuse %o naming the variable', (env, named) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(named)
  })
})
