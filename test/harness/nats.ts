/**
 * @module
 * Starts a throwaway nats-server with JetStream for tests: file storage in a temp dir, listening on
 * 127.0.0.1 on a free port. `restart()` kills the server and starts it again on the same port and store
 * directory, so tests can check that clients reconnect and that streams survive.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { freePort } from './free-port.ts'

export interface NatsServer {
  /** `nats://127.0.0.1:PORT` */
  url: string
  port: number
  /** Kills the server (SIGKILL, like a crash) and starts it again on the same port and store. */
  restart(): Promise<void>
  stop(): Promise<void>
}

function findBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin']
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server')
    if (existsSync(candidate)) return candidate
  }
  throw new Error(
    'nats-server is not installed (not on PATH nor in /usr/sbin). Install it with `apt-get install nats-server`.',
  )
}

async function accepts(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Spawns the server and resolves once it accepts TCP connections; rejects if it exits first. */
async function launch(
  bin: string,
  dir: string,
  port: number,
): Promise<{ child: ChildProcess; log: () => string }> {
  const args = ['-js', '-sd', join(dir, 'jetstream'), '-a', '127.0.0.1', '-p', String(port)]
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (exited) break
    // The port alone is not enough: a previous, dying instance may still hold it during a restart.
    if (output.includes('Server is ready') && (await accepts(port))) return { child, log: () => output }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  child.kill('SIGKILL')
  throw new Error(`nats-server did not start on port ${port}; its log:\n${output}`)
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGKILL')
  await exited
}

export async function startNats(): Promise<NatsServer> {
  const bin = findBinary()
  const dir = await mkdtemp(join(tmpdir(), 'edgefaas-nats-'))
  try {
    // The port is free when probed but may be taken before nats-server binds it: retry on a new one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      let current: ChildProcess
      try {
        current = (await launch(bin, dir, port)).child
      } catch (err) {
        if (attempt < 3) continue
        throw err
      }
      let stopped = false
      return {
        url: `nats://127.0.0.1:${port}`,
        port,
        async restart() {
          await kill(current)
          // Right after a kill the port can linger briefly; launch() waits for the new instance itself.
          for (let tries = 1; ; tries++) {
            try {
              current = (await launch(bin, dir, port)).child
              return
            } catch (err) {
              if (tries >= 5) throw err
              await new Promise((resolve) => setTimeout(resolve, 200))
            }
          }
        },
        async stop() {
          if (stopped) return
          stopped = true
          await kill(current)
          await rm(dir, { recursive: true, force: true })
        },
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
