/**
 * @module
 * A real ACME server for tests: Debian's pebble with pebble-challtestsrv as its DNS, on free loopback
 * ports. Pebble validates HTTP-01 for real (never the always-valid switch) by connecting to the tested
 * host's A record (challtestsrv answers 127.0.0.1) on `httpPort`, the gateway's HTTP port; validation
 * sleeps are off (PEBBLE_VA_NOSLEEP). Pebble's own HTTPS certificate comes from a throwaway CA, given to
 * the gateway as EDGEFAAS_ACME_CA_FILE; the root of the certificates pebble issues is `rootPem`.
 *
 * Usage: `const ports = await reservePebblePorts()`, start the gateway with `pebbleEnv(ports, caFile)`,
 * then `startPebble(ports, { httpPort: gateway.port })`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent, get as httpsGet } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCa, type TestCa } from './certs.ts'
import { freePort } from './free-port.ts'
import { pollUntil } from './poll.ts'

export interface PebblePorts {
  acme: number
  management: number
  dns: number
  dnsManagement: number
}

export interface Pebble {
  directoryUrl: string
  /** The CA of pebble's own HTTPS listener: what EDGEFAAS_ACME_CA_FILE points to. */
  caFile: string
  /** The root that signs the certificates pebble issues (regenerated at each start). */
  rootPem: string
  /** How many orders pebble created and how many certificates it issued since it started. */
  orders(): { created: number; issued: number }
  /** Adds an A record (→ 127.0.0.1, or `address`) to the DNS pebble asks. */
  addHost(host: string, address?: string): Promise<void>
  stop(): Promise<void>
}

export async function reservePebblePorts(): Promise<PebblePorts> {
  return {
    acme: await freePort(),
    management: await freePort(),
    dns: await freePort(),
    dnsManagement: await freePort(),
  }
}

/** The CA pebble's HTTPS listener uses; made before the gateway starts, so it can be configured. */
export async function createPebbleCa(): Promise<TestCa> {
  return await createTestCa('pebble listener test CA')
}

export function pebbleEnv(ports: PebblePorts, ca: TestCa): Record<string, string> {
  return {
    EDGEFAAS_ACME_DIRECTORY_URL: `https://localhost:${ports.acme}/dir`,
    EDGEFAAS_ACME_CA_FILE: ca.certFile,
    EDGEFAAS_ACME_EMAIL: 'admin@example.test',
  }
}

export async function startPebble(
  ports: PebblePorts,
  ca: TestCa,
  options: { httpPort: number; certificateValiditySeconds?: number },
): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'edgefaas-pebble-'))
  const listener = await ca.issue(['localhost'], { days: 2 })
  await writeFile(join(dir, 'cert.pem'), listener.certPem)
  await writeFile(join(dir, 'key.pem'), listener.keyPem)
  await writeFile(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${ports.acme}`,
        managementListenAddress: `127.0.0.1:${ports.management}`,
        certificate: join(dir, 'cert.pem'),
        privateKey: join(dir, 'key.pem'),
        httpPort: options.httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(options.certificateValiditySeconds
          ? { certificateValidityPeriod: options.certificateValiditySeconds }
          : {}),
      },
    }),
  )
  const children: ChildProcess[] = []
  const output: string[] = []
  const start = (command: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()))
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()))
    children.push(child)
    return child
  }
  const stop = async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    start('pebble-challtestsrv', [
      '-management',
      `127.0.0.1:${ports.dnsManagement}`,
      '-dns01',
      `127.0.0.1:${ports.dns}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
    ])
    start('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${ports.dns}`], {
      PEBBLE_VA_NOSLEEP: '1',
      // Every nonce good: the tests measure edgefaas, not acme-client's badNonce retries.
      PEBBLE_WFE_NONCEREJECT: '0',
      // Every order validates anew: an order never rides on another's authorization.
      PEBBLE_AUTHZREUSE: '0',
    })
    const agent = new Agent({ ca: ca.certPem })
    const get = (url: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpsGet(url, { agent }, (res) => {
          let body = ''
          res.on('data', (c: Buffer) => {
            body += c.toString()
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        }).once('error', reject)
      })
    const directoryUrl = `https://localhost:${ports.acme}/dir`
    await pollUntil(
      `pebble to answer (output: ${output.join('')})`,
      async () => (await get(directoryUrl).catch(() => ({ status: 0 }))).status === 200,
      20_000,
    )
    await pollUntil(
      'pebble-challtestsrv to answer',
      async () =>
        (await fetch(`http://127.0.0.1:${ports.dnsManagement}/clear-a`, {
          method: 'POST',
          body: JSON.stringify({ host: 'probe.invalid' }),
        }).catch(() => null)) !== null,
      20_000,
    )
    const root = await get(`https://localhost:${ports.management}/roots/0`)
    return {
      directoryUrl,
      caFile: ca.certFile,
      rootPem: root.body,
      orders() {
        const log = output.join('')
        return {
          created: log.split('Added order ').length - 1,
          issued: log.split('Issued certificate serial ').length - 1,
        }
      },
      async addHost(host, address = '127.0.0.1') {
        const response = await fetch(`http://127.0.0.1:${ports.dnsManagement}/add-a`, {
          method: 'POST',
          body: JSON.stringify({ host, addresses: [address] }),
        })
        if (!response.ok) throw new Error(`challtestsrv add-a ${host}: ${response.status}`)
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
