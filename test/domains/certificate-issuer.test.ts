/**
 * The issuer label of a stored certificate, read from the leaf of a real chain made by openssl; garbage
 * and truncated input give null, never a throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { certificateIssuer } from '../../src/domains/certificate-issuer.ts'
import { createTestCa, type TestCa } from '../harness/certs.ts'

describe('certificateIssuer', () => {
  let ca: TestCa
  beforeAll(async () => {
    ca = await createTestCa('Example Test CA R7')
  })
  afterAll(() => ca?.remove())

  it("names the leaf's issuer, not the leaf, in a chain", async () => {
    const leaf = await ca.issue(['api.example.test'])
    expect(certificateIssuer(`${leaf.certPem}\n${ca.certPem}`)).toBe('Example Test CA R7')
    expect(certificateIssuer(ca.certPem)).toBe('Example Test CA R7')
  })

  it('is null for anything it cannot read', async () => {
    const leaf = await ca.issue(['api.example.test'])
    const body = leaf.certPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')
    const truncated = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 80)}\n-----END CERTIFICATE-----`
    for (const input of [
      null,
      '',
      'not a pem',
      truncated,
      '-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----',
    ]) {
      expect(certificateIssuer(input)).toBeNull()
    }
  })
})
