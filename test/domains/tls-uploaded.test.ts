/**
 * Uploaded certificates on the Node HTTPS listener (EDGEFAAS_TLS_PORT): checked on upload (matching key,
 * covering the host, valid now; 400 otherwise), the key sealed at rest and never shown, each domain's own
 * certificate chosen by SNI on one port, and the real curl reaching the function over HTTPS.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCa, type TestCa } from '../harness/certs.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { presentedCertificate } from '../harness/tls-client.ts'

const run = promisify(execFile)
let gw: TestGateway
let ca: TestCa

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${btoa(`${gw.user}:${gw.password}`)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

beforeAll(async () => {
  ;[gw, ca] = await Promise.all([
    startTestGateway({ EDGEFAAS_TLS_PORT: '0', EDGEFAAS_ROUTE_CACHE_TTL_MS: '200' }),
    createTestCa(),
  ])
  for (const service of ['alpha', 'beta']) {
    const deployed = await api('POST', '/system/functions', {
      service,
      image: 'local/env',
      envProcess: 'env',
      envVars: { FN_NAME: service },
    })
    expect(deployed.status).toBe(202)
  }
}, 60_000)
afterAll(async () => {
  await gw?.close()
  await ca?.remove()
})

describe('uploaded certificates', () => {
  it("refuses a key that is not the certificate's, a certificate for another host, an expired one", async () => {
    const good = await ca.issue(['alpha.example.test'])
    const other = await ca.issue(['other.example.test'])
    const expired = await ca.issue(['alpha.example.test'], { expired: true })
    for (const [certificate, privateKey, message] of [
      [good.certPem, other.keyPem, 'does not match'],
      [other.certPem, other.keyPem, 'covers other.example.test, not alpha.example.test'],
      [expired.certPem, expired.keyPem, 'expired'],
      ['not a pem', good.keyPem, 'no "-----BEGIN CERTIFICATE-----" block'],
      [good.certPem, 'not a key', 'privateKey: not a PEM private key'],
      [`${ca.certPem}${good.certPem}`, good.keyPem, 'does not match'],
    ]) {
      const response = await api('POST', '/system/domains', {
        host: 'alpha.example.test',
        function: 'alpha',
        certificate: certificate,
        privateKey: privateKey,
      })
      expect(response.status, message).toBe(400)
      const text = await response.text()
      expect(text).toContain(message)
      expect(text).not.toContain('PRIVATE KEY')
    }
    expect((await api('GET', '/system/domains/alpha.example.test')).status).toBe(404)
  })

  it('serves two domains on one port, each with its own certificate by SNI; curl reaches the function', async () => {
    const alpha = await ca.issue(['alpha.example.test'])
    const beta = await ca.issue(['*.beta.example.test'])
    const created = await api('POST', '/system/domains', {
      host: 'alpha.example.test',
      function: 'alpha',
      certificate: `${alpha.certPem}${ca.certPem}`,
      privateKey: alpha.keyPem,
    })
    expect(created.status).toBe(201)
    const shown = await created.json()
    expect(shown).toMatchObject({
      tls: 'uploaded',
      certificate: { state: 'issued', source: 'uploaded', issuer: 'edgefaas test CA' },
    })
    expect(JSON.stringify(shown)).not.toContain('PRIVATE KEY')
    // A wildcard domain, its certificate uploaded afterwards.
    expect(
      (
        await api('POST', '/system/domains', {
          host: '*.beta.example.test',
          function: 'beta',
          tls: 'uploaded',
        })
      ).status,
    ).toBe(201)
    const uploaded = await api('PUT', '/system/domains/*.beta.example.test/certificate', {
      certificate: beta.certPem,
      privateKey: beta.keyPem,
    })
    expect(uploaded.status).toBe(200)

    const port = gw.tlsPort as number
    expect((await presentedCertificate(port, 'alpha.example.test', ca.certPem)).subjectaltname).toBe(
      'DNS:alpha.example.test',
    )
    expect((await presentedCertificate(port, 'www.beta.example.test', ca.certPem)).subjectaltname).toBe(
      'DNS:*.beta.example.test',
    )
    // No domain, no certificate: the handshake fails rather than show another domain's.
    await expect(presentedCertificate(port, 'unknown.example.test', ca.certPem)).rejects.toThrow()

    for (const [host, fn] of [
      ['alpha.example.test', 'alpha'],
      ['www.beta.example.test', 'beta'],
    ]) {
      const { stdout } = await run('curl', [
        '-sS',
        '--cacert',
        ca.certFile,
        '--resolve',
        `${host}:${port}:127.0.0.1`,
        `https://${host}:${port}/path?q=1`,
      ])
      expect(stdout).toContain(`FN_NAME=${fn}`)
      expect(stdout).toContain('Http_Path=/path')
    }
  })

  it("shows each certificate's expiry at /metrics, for alerts before it runs out", async () => {
    const stored = await gw.deps.store.getCertificate('alpha.example.test')
    expect(stored?.notAfter).toBeInstanceOf(Date)
    const notAfter = Math.floor((stored!.notAfter as Date).getTime() / 1000)
    const expected = `edgefaas_certificate_expiry_timestamp_seconds{host="alpha.example.test",source="uploaded"} ${notAfter}`
    await pollUntil('the certificate expiry series', async () => {
      const text = await (await api('GET', '/metrics')).text()
      return (
        text.includes(expected) &&
        text.includes('edgefaas_certificate_order_failures{host="alpha.example.test"} 0') &&
        text.includes(
          'edgefaas_certificate_expiry_timestamp_seconds{host="*.beta.example.test",source="uploaded"}',
        )
      )
    })
  })

  it('keeps the key sealed in the store and swaps a replaced certificate in without a restart', async () => {
    const stored = await gw.deps.store.getCertificate('alpha.example.test')
    expect(stored?.keyCiphertext).toMatch(/^v1:/)
    expect(stored?.keyCiphertext).not.toContain('PRIVATE KEY')
    const port = gw.tlsPort as number
    const before = await presentedCertificate(port, 'alpha.example.test', ca.certPem)
    const next = await ca.issue(['alpha.example.test'], { days: 2 })
    const replaced = await api('PUT', '/system/domains/alpha.example.test/certificate', {
      certificate: next.certPem,
      privateKey: next.keyPem,
    })
    expect(replaced.status).toBe(200)
    await pollUntil('the new certificate to be served', async () => {
      const now = await presentedCertificate(port, 'alpha.example.test', ca.certPem)
      return now.serialNumber !== before.serialNumber
    })
  })
})
