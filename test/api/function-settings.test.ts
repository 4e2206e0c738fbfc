/**
 * Settings the gateway acts on, deployed the way users deploy them: the real faas-cli with a stack.yml.
 * A retry setting given as a label, or with a value the gateway cannot use, fails the deploy with a
 * message naming the key (faas-cli prints it), instead of deploying a function that silently runs on the
 * default retry policy. Valid settings in the right place deploy as before.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FaasCliRun, runFaasCli } from '../harness/faas-cli.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

type Run = FaasCliRun

describe('function settings through faas-cli deploy', () => {
  let g: TestGateway
  let home: string
  const faasCli = (args: string[], input?: string) => runFaasCli(args, { home, input })
  const deploy = async (name: string, settings: string): Promise<Run> => {
    const stack = join(home, `${name}.yml`)
    await writeFile(
      stack,
      `version: 1.0\nprovider:\n  name: openfaas\n  gateway: ${g.url}\nfunctions:\n  ${name}:\n    image: ghcr.io/example/${name}:latest\n    fprocess: cat\n${settings}`,
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
    await g.close()
    await rm(home, { recursive: true, force: true })
  })

  it('a retry setting as a label fails the deploy, naming the key and where it belongs', async () => {
    const run = await deploy('as-label', '    labels:\n      com.openfaas.retry.attempts: "3"\n')
    expect(run.code).not.toBe(0)
    expect(run.output).toMatch(/400.*com\.openfaas\.retry\.attempts is read from annotations, not labels/)
    expect((await fetch(`${g.url}/system/function/as-label`, { headers: auth(g) })).status).toBe(404)
  })

  it('attempts: "lots" fails the deploy, naming the key', async () => {
    const run = await deploy('lots', '    annotations:\n      com.openfaas.retry.attempts: lots\n')
    expect(run.code).not.toBe(0)
    expect(run.output).toMatch(/400.*annotation com\.openfaas\.retry\.attempts must be a whole number/)
  })

  it('valid settings in the right place deploy', async () => {
    const run = await deploy(
      'valid',
      [
        '    labels:',
        '      com.openfaas.scale.min: "1"',
        '    annotations:',
        '      com.openfaas.retry.attempts: "3"',
        '      com.openfaas.retry.codes: "429,503"',
        '      com.openfaas.retry.min_wait: 1s',
        '      com.openfaas.retry.max_wait: 1m',
        '      com.openfaas.queue: slow-queue',
        '      edgefaas.dev/timeout: 1m30s',
        '',
      ].join('\n'),
    )
    expect(run.code, run.output).toBe(0)
    const status = (await (await fetch(`${g.url}/system/function/valid`, { headers: auth(g) })).json()) as {
      annotations: Record<string, string>
    }
    expect(status.annotations['com.openfaas.retry.attempts']).toBe('3')
  })
})

function auth(g: TestGateway): Record<string, string> {
  return { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
}
