/**
 * Every endpoint that reads a body, fed malformed input: always a 4xx with a plain-text message, never a
 * 5xx, and the gateway keeps answering. Also the certifier's setting: authentication switched off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

const ENDPOINTS: Array<[string, string]> = [
  ['POST', '/system/functions'],
  ['PUT', '/system/functions'],
  ['DELETE', '/system/functions'],
  ['POST', '/system/scale-function/env'],
  ['POST', '/system/secrets'],
  ['PUT', '/system/secrets'],
  ['DELETE', '/system/secrets'],
  ['POST', '/system/namespace/'],
  ['PUT', '/system/namespace/openfaas-fn'],
  ['POST', '/system/domains'],
  ['PUT', '/system/domains/api.example.com'],
  ['PUT', '/system/domains/api.example.com/certificate'],
]

const BODIES: string[] = [
  '',
  'null',
  'true',
  '42',
  '"text"',
  '[]',
  '[{}]',
  '{',
  '{"service":',
  '\u0000\u0001\u0002',
  '{}',
  '{"service":null,"image":null}',
  '{"service":1,"image":2}',
  '{"service":"x","image":"y","labels":[]}',
  '{"service":"x","image":"y","labels":{"a":{"b":1}}}',
  '{"service":"x","image":"y","envVars":"a=b"}',
  '{"service":"x","image":"y","secrets":"one"}',
  '{"service":"x","image":"y","limits":"lots"}',
  '{"service":"x".repeat(10),"image":"y"}',
  `{"service":"${'a'.repeat(10_000)}","image":"y"}`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  '{"functionName":["x"]}',
  '{"serviceName":"env","replicas":"2"}',
  '{"serviceName":"env","replicas":1e400}',
  '{"serviceName":"env","replicas":-0.5}',
  '{"name":{},"value":[]}',
  '{"name":"x","rawValue":"!!!"}',
  '{"name":"","labels":null}',
  '{"__proto__":{"polluted":true},"service":"x","image":"y"}',
  '{"host":"x.example.com","function":"env","path":7}',
  `{"host":"${'a.'.repeat(5000)}com","function":"env"}`,
  '{"host":"x.example.com","function":"env","certificate":"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----","privateKey":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----"}',
  '{"host":"x.example.com","function":"env","tls":"maybe","redirectHttps":"yes"}',
]

describe('malformed input', () => {
  let g: TestGateway
  let auth: Record<string, string>
  beforeAll(async () => {
    g = await startTestGateway()
    auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`, 'content-type': 'application/json' }
  })
  afterAll(() => g.close())

  // Some bodies are valid for some endpoints (`{}` updates a namespace); the property is: never a 5xx,
  // and every refusal says why.
  it.each(ENDPOINTS)('%s %s never answers 5xx, and explains every refusal', async (method, path) => {
    for (const body of BODIES) {
      const res = await fetch(`${g.url}${path}`, { method, headers: auth, body })
      const text = await res.text()
      const what = `${method} ${path} ${body.slice(0, 40)} → ${res.status} ${text}`
      expect(res.status, what).toBeLessThan(500)
      if (res.status >= 400) expect(text.trim().length, what).toBeGreaterThan(0)
    }
    expect((await fetch(`${g.url}/healthz`)).status).toBe(200)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('odd paths and query strings are 4xx too', async () => {
    for (const path of [
      '/system/function/%ff',
      '/system/function/..',
      '/system/functions?namespace=%00',
      `/system/functions?namespace=${'a'.repeat(5000)}`,
      '/system/logs?name=x&tail=1e99',
      `/system/namespace/${'a'.repeat(100)}`,
      '/system/secrets?namespace=../etc',
    ]) {
      const res = await fetch(`${g.url}${path}`, { headers: auth })
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.status, path).toBeLessThan(500)
    }
  })
})

describe('authentication switched off (EDGEFAAS_BASIC_AUTH=false, as the certifier assumes)', () => {
  let g: TestGateway
  beforeAll(async () => {
    g = await startTestGateway({ EDGEFAAS_BASIC_AUTH: 'false' })
  })
  afterAll(() => g.close())

  it('serves /system/* without credentials and ignores the empty bearer token faas-cli sends', async () => {
    expect((await fetch(`${g.url}/system/functions`)).status).toBe(200)
    expect((await fetch(`${g.url}/system/info`, { headers: { authorization: 'Bearer ' } })).status).toBe(200)
  })
})
