/**
 * Custom domains the way users set them: the `edgefaas.dev/domains` annotation in a stack.yml, deployed
 * with the real faas-cli. The host is routed to the function; another function claiming it fails its
 * deploy with the 409 naming the owner, which faas-cli prints.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAAS_CLI, runFaasCli } from '../harness/faas-cli.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

const run = promisify(execFile)

describe.skipIf(!existsSync(FAAS_CLI))('domains from stack.yml through faas-cli', () => {
  let g: TestGateway
  let home: string
  const faasCli = (args: string[], input?: string) => runFaasCli(args, { home, input })
  const deploy = async (name: string, domains: string) => {
    const stack = join(home, `${name}.yml`)
    await writeFile(
      stack,
      [
        'version: 1.0',
        'provider:',
        '  name: openfaas',
        `  gateway: ${g.url}`,
        'functions:',
        `  ${name}:`,
        `    image: ghcr.io/example/${name}:latest`,
        '    fprocess: env',
        '    environment:',
        `      FN_NAME: ${name}`,
        '    annotations:',
        `      edgefaas.dev/domains: "${domains}"`,
        '',
      ].join('\n'),
    )
    return faasCli(['deploy', '-f', stack])
  }

  beforeAll(async () => {
    g = await startTestGateway()
    home = await mkdtemp(join(tmpdir(), 'edgefaas-faas-cli-'))
    const login = await faasCli(['login', '-g', g.url, '-u', g.user, '--password-stdin'], g.password)
    expect(login.code, login.output).toBe(0)
  })
  afterAll(async () => {
    await g?.close()
    await rm(home, { recursive: true, force: true })
  })

  it('a deployed annotation routes its host to the function; another function cannot take it', async () => {
    const first = await deploy('cli-env', 'cli.example.test/api')
    expect(first.code, first.output).toBe(0)
    const { stdout } = await run('curl', ['-sS', '-H', 'Host: cli.example.test', `${g.url}/api/x`])
    expect(stdout).toContain('FN_NAME=cli-env')
    expect(stdout).toContain('Http_Path=/x')

    const second = await deploy('cli-thief', 'cli.example.test')
    expect(second.code).not.toBe(0)
    expect(second.output).toContain('host cli.example.test is already mapped to function "cli-env"')
  })
})
