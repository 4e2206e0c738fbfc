/**
 * `lambda` and `ecs` backends as users write them (the backends file and /system/backends share the
 * schema), their sealed AWS keys, and the image entrypoint that turns EDGEFAAS_SECRETS into the files
 * OpenFaaS functions read.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { secretsBundle } from '../../providers/aws/secrets-bundle.ts'
import { openCredentials, sealCredentials } from '../../src/backends/credentials.ts'
import { parseBackendsFile } from '../../src/backends/file.ts'
import { createSecretCipher } from '../../src/store/cipher.ts'

const file = (body: string) => `backends:\n${body}`

describe('lambda and ecs backends in the backends file', () => {
  it('parses both kinds, with keys from the environment', () => {
    const backends = parseBackendsFile(
      file(`  - name: lambda-eu
    kind: lambda
    region: eu-west-1
    credentials: { accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: "\${AWS_SECRET}" }
    options: { roleArn: "arn:aws:iam::123456789012:role/fn", memoryMiB: 1024 }
  - name: fargate
    kind: ecs
    region: eu-west-1
    options:
      cluster: functions
      subnets: [subnet-0a1b2c]
      securityGroups: [sg-0a1b2c]
      executionRoleArn: arn:aws:iam::123456789012:role/exec
      invokeUrl: "http://{name}.edgefaas.local:8080"
`),
      { AWS_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      'openfaas-fn',
    )
    expect(backends).toEqual([
      {
        name: 'lambda-eu',
        kind: 'lambda',
        region: 'eu-west-1',
        credentials: {
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        },
        options: { roleArn: 'arn:aws:iam::123456789012:role/fn', memoryMiB: 1024 },
      },
      {
        name: 'fargate',
        kind: 'ecs',
        region: 'eu-west-1',
        options: {
          cluster: 'functions',
          subnets: ['subnet-0a1b2c'],
          securityGroups: ['sg-0a1b2c'],
          executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
          invokeUrl: 'http://{name}.edgefaas.local:8080',
        },
      },
    ])
  })

  it.each([
    [
      'a lambda backend with a url',
      '    kind: lambda\n    region: eu-west-1\n    url: https://x.example\n    options: { roleArn: "arn:aws:iam::123456789012:role/fn" }',
      /url: is not a field of kind "lambda"/,
    ],
    [
      'a lambda backend without a role',
      '    kind: lambda\n    region: eu-west-1\n    options: {}',
      /options\.roleArn: is required/,
    ],
    [
      'a bad region',
      '    kind: lambda\n    region: europe\n    options: { roleArn: "arn:aws:iam::123456789012:role/fn" }',
      /region: must be an AWS region/,
    ],
    [
      'basic auth on an AWS backend',
      '    kind: ecs\n    region: eu-west-1\n    credentials: { username: a, password: b }\n    options: {}',
      /credentials\.accessKeyId: is required/,
    ],
    [
      'an invokeUrl whose {name} could change the host',
      '    kind: ecs\n    region: eu-west-1\n    options: { cluster: c, subnets: [subnet-1], securityGroups: [], executionRoleArn: "arn:aws:iam::123456789012:role/e", invokeUrl: "http://evil{name}.example" }',
      /options: in the host of invokeUrl, a placeholder must be a whole DNS label/,
    ],
    [
      'an ECS backend without subnets',
      '    kind: ecs\n    region: eu-west-1\n    options: { cluster: c, subnets: [], securityGroups: [], executionRoleArn: "arn:aws:iam::123456789012:role/e", invokeUrl: "http://a/{name}" }',
      /options\.subnets: must list at least one subnet/,
    ],
  ])('refuses %s, naming the field', (_, body, message) => {
    expect(() => parseBackendsFile(file(`  - name: x\n${body}\n`), {}, 'openfaas-fn')).toThrow(message)
  })
})

describe('AWS keys at rest', () => {
  it('are sealed bound to the backend and open to the same keys', async () => {
    const cipher = await createSecretCipher(Buffer.alloc(32, 7).toString('base64'))
    const keys = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'secret-key-value-123',
      sessionToken: 'tok',
    }
    const sealed = await sealCredentials(cipher, 'lambda-eu', keys)
    expect(sealed).not.toContain('secret-key-value-123')
    expect(await openCredentials(cipher, 'lambda-eu', sealed)).toEqual(keys)
    await expect(openCredentials(cipher, 'other', sealed)).rejects.toThrow()
  })
})

describe('the image entrypoint for secrets (providers/aws/image/edgefaas-secrets.sh)', () => {
  it('writes each secret as a file, private, drops the variable and runs the command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgefaas-secrets-'))
    const bundle = secretsBundle(
      ['api-key', 'binary.bin'],
      { 'api-key': new TextEncoder().encode('s3cr3t\n'), 'binary.bin': Uint8Array.from([0, 255, 10, 13]) },
      'fn.ns',
    )
    const script = resolve(import.meta.dirname, '../../providers/aws/image/edgefaas-secrets.sh')
    // A shell expansion, run by sh: whether the entrypoint left the variable behind.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    const printLeft = 'echo "left:${EDGEFAAS_SECRETS:-none}"'
    const out = await new Promise<string>((done, fail) =>
      execFile(
        'sh',
        [script, 'sh', '-c', printLeft],
        {
          env: {
            PATH: process.env.PATH ?? '',
            EDGEFAAS_SECRETS: bundle ?? '',
            EDGEFAAS_SECRETS_DIR: join(dir, 's'),
          },
        },
        (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout)),
      ),
    )
    expect(out.trim()).toBe('left:none')
    expect(await readFile(join(dir, 's', 'api-key'), 'utf8')).toBe('s3cr3t\n')
    expect([...(await readFile(join(dir, 's', 'binary.bin')))]).toEqual([0, 255, 10, 13])
    expect((await stat(join(dir, 's', 'api-key'))).mode & 0o777).toBe(0o600)
    await rm(dir, { recursive: true, force: true })
  })
})
