/**
 * @module
 * Starts a throwaway PostgreSQL for tests: a fresh cluster in a temp dir, listening on 127.0.0.1 on a free
 * port (and a unix socket inside the temp dir, so it never touches /var/run/postgresql), with fsync off
 * because the data is discarded anyway.
 *
 * `initdb` and `postgres` refuse to run as root. As root, the temp dir is handed to an unprivileged
 * account (`postgres` if it exists, else `nobody`) and every PostgreSQL binary runs as that account
 * through `runuser` (or `su` where runuser is missing).
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './free-port.ts'

const run = promisify(execFile)

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`; the `postgres` role is a trusted superuser. */
  url: string
  /**
   * Stops the server (`immediate`: like a crash, every connection cut), keeps it down `downMs`, and
   * starts it again on the same port and data: what a restart or a failover looks like to clients.
   */
  restart(downMs?: number): Promise<void>
  /** The first half of `restart`: stopped like a crash, data kept, until `up()`. */
  down(): Promise<void>
  up(): Promise<void>
  stop(): Promise<void>
}

/** The directory holding `initdb` and `pg_ctl`: from PATH first, then Debian's versioned layout. */
function findBinDir(): string {
  const fromPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : []
  for (const dir of [...fromPath, ...debian]) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir
  }
  throw new Error(
    'PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin). ' +
      'Install it with `apt-get install postgresql`.',
  )
}

async function idOf(user: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const uid = Number((await run('id', ['-u', user])).stdout.trim())
    const gid = Number((await run('id', ['-g', user])).stdout.trim())
    return { uid, gid }
  } catch {
    return null
  }
}

/** How to run a PostgreSQL binary: directly, or as an unprivileged user when we are root. */
type Runner = (bin: string, args: string[]) => Promise<void>

async function makeRunner(dir: string): Promise<Runner> {
  if (process.getuid?.() !== 0) return async (bin, args) => void (await run(bin, args, { timeout: 60_000 }))
  for (const user of ['postgres', 'nobody']) {
    const id = await idOf(user)
    if (!id) continue
    await chown(dir, id.uid, id.gid)
    if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser')) {
      return async (bin, args) =>
        void (await run('runuser', ['-u', user, '--', bin, ...args], { timeout: 60_000 }))
    }
    // `nobody` has no login shell, hence `-s`; the command line goes through that shell, hence the quoting.
    const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`
    return async (bin, args) => {
      const line = [bin, ...args].map(quote).join(' ')
      await run('su', ['-s', '/bin/sh', user, '-c', line], { timeout: 60_000 })
    }
  }
  throw new Error(
    'Running as root, but neither a `postgres` nor a `nobody` user exists to run PostgreSQL as.',
  )
}

export interface PostgresOptions {
  /**
   * Keep PostgreSQL's crash safety (fsync, synchronous commit): for tests that crash the server
   * (`restart`, `down`) and count on every acknowledged commit surviving, as on a real database.
   */
  durable?: boolean
}

export async function startPostgres(settings: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = findBinDir()
  const dir = await mkdtemp(join(tmpdir(), 'edgefaas-pg-'))
  const data = join(dir, 'data')
  const log = join(dir, 'postgres.log')
  const pgCtl = join(bin, 'pg_ctl')
  try {
    const as = await makeRunner(dir)
    const initdb = ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '-N']
    await as(join(bin, 'initdb'), initdb)

    // The port is free when probed but may be taken before postgres binds it: retry on a new one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const unsafe = settings.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}${unsafe}`
      try {
        await as(pgCtl, ['start', '-w', '-t', '30', '-D', data, '-l', log, '-o', options])
      } catch (err) {
        if (attempt < 3) continue
        throw err
      }
      let stopped = false
      const down = async () => void (await as(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']))
      const up = async () =>
        void (await as(pgCtl, ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', options]))
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        async restart(downMs = 0) {
          await down()
          if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs))
          await up()
        },
        down,
        up,
        async stop() {
          if (stopped) return
          stopped = true
          // A server that already died needs no stopping; the directory goes either way.
          await as(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {})
          await rm(dir, { recursive: true, force: true })
        },
      }
    }
  } catch (err) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''
    await rm(dir, { recursive: true, force: true })
    throw new Error(`PostgreSQL did not start${tail ? `; server log:\n${tail}` : ''}`, { cause: err })
  }
}
