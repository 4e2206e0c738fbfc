/**
 * @module
 * Throwaway X.509 material for TLS tests, made with the openssl binary: a CA, and leaf certificates for
 * given DNS names signed by it (optionally already expired, or with a validity in the future).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestCa {
  /** The CA certificate, PEM; also at `certFile`. */
  certPem: string
  certFile: string
  /** A leaf for `names` (first one is the CN), with its PEM key. */
  issue(
    names: string[],
    options?: { days?: number; expired?: boolean },
  ): Promise<{ certPem: string; keyPem: string }>
  remove(): Promise<void>
}

export async function createTestCa(name = 'edgefaas test CA'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'edgefaas-ca-'))
  const caKey = join(dir, 'ca.key')
  const caCert = join(dir, 'ca.pem')
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  await writeFile(join(dir, 'index.txt'), '')
  await writeFile(join(dir, 'serial'), '1000\n')
  let serial = 0
  /** `openssl ca` (not `x509 -req`) because only it sets arbitrary validity dates on OpenSSL 3.0. */
  const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`
  return {
    certPem: await readFile(caCert, 'utf8'),
    certFile: caCert,
    async issue(names, options = {}) {
      const id = ++serial
      const key = join(dir, `leaf${id}.key`)
      const csr = join(dir, `leaf${id}.csr`)
      const cert = join(dir, `leaf${id}.pem`)
      const config = join(dir, `leaf${id}.cnf`)
      await writeFile(
        config,
        [
          '[ca]',
          'default_ca = d',
          '[d]',
          `database = ${join(dir, 'index.txt')}`,
          `new_certs_dir = ${dir}`,
          `serial = ${join(dir, 'serial')}`,
          'default_md = sha256',
          'policy = p',
          'unique_subject = no',
          '[p]',
          'commonName = supplied',
          '[ext]',
          `subjectAltName = ${names.map((n) => `DNS:${n}`).join(',')}`,
          'basicConstraints = CA:FALSE',
          '',
        ].join('\n'),
      )
      await run('openssl', [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        `/CN=${names[0]}`,
      ])
      const now = Date.now()
      const [from, to] = options.expired
        ? [new Date(now - 10 * 86_400_000), new Date(now - 86_400_000)]
        : [new Date(now - 60_000), new Date(now + (options.days ?? 1) * 86_400_000)]
      await run('openssl', [
        'ca',
        '-batch',
        '-notext',
        '-config',
        config,
        '-cert',
        caCert,
        '-keyfile',
        caKey,
        '-in',
        csr,
        '-out',
        cert,
        '-startdate',
        stamp(from),
        '-enddate',
        stamp(to),
        '-extensions',
        'ext',
      ])
      return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') }
    },
    async remove() {
      await rm(dir, { recursive: true, force: true })
    },
  }
}
