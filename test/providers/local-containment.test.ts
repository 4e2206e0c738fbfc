/**
 * @module
 * What a function cannot do in the isolation modes that claim to contain it, with the gateway running as
 * root: bubblewrap, and separate users without bubblewrap. Every probe is a shell script sent as the body
 * of a classic-mode `sh` function, so it runs exactly as function code would, and the tests look for the
 * attempt to fail from inside.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalProvider, type LocalProvider } from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import {
  bwrapWorks,
  deployReady,
  isRoot,
  namespace,
  quietLogger,
  removeDataDirs,
  runShell,
  setprivWorks,
  shellFunction,
  tempDataDir,
} from './local-helpers.ts'

const KEY = 'the-gateway-secrets-key'
const DATABASE = 'the-gateway-database'
const MINE = 'my-secret-value'
const THEIRS = 'their-secret-value'
const checkout = fs.realpathSync(fileURLToPath(new URL('../..', import.meta.url)))

afterAll(removeDataDirs)

const isolations = [
  { mode: 'bwrap', runs: isRoot && bwrapWorks },
  { mode: 'user', runs: setprivWorks },
] as const

for (const { mode, runs } of isolations) {
  describe.skipIf(!runs)(`local provider: a function isolated by '${mode}', gateway is root`, () => {
    let provider: LocalProvider
    let dataDir: string
    let prober: DesiredFunction
    let other: DesiredFunction
    const sh = (script: string, fn = prober) => runShell(provider, fn, script)

    beforeAll(async () => {
      dataDir = tempDataDir()
      fs.writeFileSync(path.join(dataDir, 'secrets.key'), KEY, { mode: 0o600 })
      fs.writeFileSync(path.join(dataDir, 'edgefaas.db'), DATABASE, { mode: 0o600 })
      provider = createLocalProvider({ dataDir, sandbox: mode, logger: quietLogger })
      prober = await deployReady(provider, shellFunction({ mine: MINE }))
      other = await deployReady(provider, shellFunction({ theirs: THEIRS }))
    })
    afterAll(() => provider?.close())

    /** Where the other function's secrets are on the host, as the gateway sees them. */
    async function theirSecretsDir(): Promise<string> {
      if (mode === 'user') return (await sh('printf %s "$OPENFAAS_SECRETS_DIR"', other)).text
      const functionDir = path.join(dataDir, 'local', String(process.pid), namespace, other.name)
      const [version] = fs.readdirSync(functionDir)
      return path.join(functionDir, version ?? '', 'secrets')
    }

    it('runs without capabilities, cannot gain any, and is not root', async () => {
      const { status, text } = await sh('cat /proc/self/status')
      expect(status).toBe(200)
      const field = (name: string) => text.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'm'))?.[1]?.trim()
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
        expect(field(set), set).toBe('0000000000000000')
      expect(field('NoNewPrivs')).toBe('1')
      expect(field('Uid')?.split(/\s+/)).not.toContain('0')
      expect(field('Gid')?.split(/\s+/)).not.toContain('0')
      expect(field('Groups')).toBe('')
    })

    it('cannot mount, unmount or remount, not even from a user namespace of its own', async () => {
      for (const script of [
        'mount -t tmpfs none /mnt',
        'umount -l /tmp',
        'mount -o remount,rw /',
        'unshare -U -r -m umount -l /tmp',
        'unshare -U -r -m mount -o remount,rw /',
      ]) {
        expect((await sh(script)).status, script).toBe(500)
      }
      const attempt = await sh(`umount -l /tmp; mount -o remount,rw /; cat ${dataDir}/secrets.key`)
      expect(attempt.text).not.toContain(KEY)
    })

    it("cannot read the data folder: the secrets key, the database, another function's secrets", async () => {
      const theirs = await theirSecretsDir()
      expect(theirs).not.toBe('')
      for (const script of [
        `ls ${dataDir}`,
        `cat ${dataDir}/secrets.key`,
        `cat ${dataDir}/edgefaas.db`,
        `ls ${theirs}`,
        `cat ${theirs}/theirs`,
      ]) {
        const { status, text } = await sh(script)
        expect(status, script).toBe(500)
        for (const leak of [KEY, DATABASE, THEIRS, 'theirs\n']) expect(text, script).not.toContain(leak)
      }
      expect(await sh('cat "$OPENFAAS_SECRETS_DIR/mine"')).toEqual({ status: 200, text: MINE })
    })

    it('cannot write outside its own folders', async () => {
      const denied = [
        `/usr/edgefaas-probe-${mode}`,
        `/etc/edgefaas-probe-${mode}`,
        `${checkout}/edgefaas-probe-${mode}`,
        `${dataDir}/edgefaas-probe-${mode}`,
        `${dataDir}/local/edgefaas-probe-${mode}`,
        // Without a mount namespace the host's /tmp and /var/tmp stay writable for every user.
        ...(mode === 'bwrap'
          ? ['/edgefaas-probe', '/var/edgefaas-probe', '/var/tmp/edgefaas-probe', '/dev/edgefaas-probe']
          : []),
      ]
      for (const file of denied) {
        expect((await sh(`touch ${file}`)).status, file).toBe(500)
        expect(fs.existsSync(file), file).toBe(false)
      }
      expect((await sh('touch "$HOME/probe" && ls "$HOME"')).text).toContain('probe')
    })

    it("cannot read the gateway's environment, or signal the gateway or another function", async () => {
      expect((await sh(`cat /proc/${process.pid}/environ`)).status).toBe(500)
      expect((await sh(`kill -0 ${process.pid}`)).status).toBe(500)
      const [theirs] = await provider.instances(namespace, other.name)
      expect(theirs?.pid).toBeGreaterThan(0)
      expect((await sh(`kill -0 ${theirs?.pid}`)).status).toBe(500)
      if (mode === 'bwrap') expect((await sh(`ls /proc/${process.pid}`)).status).toBe(500)
    })
  })
}
