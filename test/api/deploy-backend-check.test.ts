/**
 * A deploy the chosen backend can never run is a user error at the edge: `POST /system/functions` and
 * `PUT` answer 400 with the backend's own message (`Provider.checkSpec`), asked once placement has
 * chosen the backend and before anything is written. Here: the local backend, which runs a process, and
 * a function with an image but no process (no envProcess, no fprocess variable), deployed the way users
 * deploy, with the real faas-cli. A function placed on another backend is not held to local rules.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FaasCliRun, runFaasCli } from '../harness/faas-cli.ts'
import { createMemoryProvider, type MemoryProvider } from '../harness/memory-provider.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

const LOCAL_REFUSAL = /400.*the local backend runs a process, not an image: set envProcess \(fprocess\)/s

type Run = FaasCliRun

let g: TestGateway
let home: string
let other: MemoryProvider
let headers: Record<string, string>

const faasCli = (args: string[], input?: string) => runFaasCli(args, { home, input })

async function stackDeploy(name: string, fields: string): Promise<Run> {
  const stack = join(home, `${name}.yml`)
  await writeFile(
    stack,
    `version: 1.0\nprovider:\n  name: openfaas\n  gateway: ${g.url}\nfunctions:\n  ${name}:\n    image: ghcr.io/example/${name}:latest\n${fields}`,
  )
  return faasCli(['deploy', '-f', stack])
}

async function api(method: 'POST' | 'PUT', body: Record<string, unknown>): Promise<Response> {
  return fetch(`${g.url}/system/functions`, { method, headers, body: JSON.stringify(body) })
}

beforeAll(async () => {
  other = createMemoryProvider('shared')
  g = await startTestGateway({}, { providers: { other } })
  headers = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`, 'content-type': 'application/json' }
  home = await mkdtemp(join(tmpdir(), 'edgefaas-faas-cli-'))
  const login = await faasCli(['login', '-g', g.url, '-u', g.user, '--password-stdin'], g.password)
  expect(login.code, login.output).toBe(0)
}, 60_000)

afterAll(async () => {
  await g?.close()
  await other?.close()
  await rm(home, { recursive: true, force: true })
})

describe('deploying what the chosen backend can never run', () => {
  it('faas-cli deploy of an image with no process on the local backend fails, printing what to set; nothing is written', async () => {
    const run = await stackDeploy('no-process', '')
    expect(run.code).not.toBe(0)
    expect(run.output).toMatch(LOCAL_REFUSAL)
    expect(run.output).toContain('--fprocess')
    expect((await fetch(`${g.url}/system/function/no-process`, { headers })).status).toBe(404)
    expect(await g.deps.store.getFunction('openfaas-fn', 'no-process')).toBeNull()
    expect(await g.deps.store.listDeployments({ functionName: 'no-process' })).toEqual([])
    // And the name is free: the fixed deploy is a create, not a conflict with a half-written one.
    const fixed = await stackDeploy('no-process', '    fprocess: cat\n')
    expect(fixed.code, fixed.output).toBe(0)
  })

  it('the same function with its process as the fprocess environment variable deploys and runs', async () => {
    const run = await stackDeploy('env-process', '    environment:\n      fprocess: cat\n')
    expect(run.code, run.output).toBe(0)
    const call = await fetch(`${g.url}/function/env-process`, { method: 'POST', body: 'hi' })
    expect(call.status).toBe(200)
    expect(await call.text()).toBe('hi')
  })

  it('PUT that drops the process is refused and leaves the function as it was, still serving', async () => {
    expect((await api('POST', { service: 'keeps', image: 'x', envProcess: 'cat' })).status).toBe(202)
    const before = await g.deps.store.getFunction('openfaas-fn', 'keeps')
    const res = await api('PUT', { service: 'keeps', image: 'y', envVars: { A: '1' } })
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/set envProcess \(fprocess\), or the fprocess environment variable/)
    const after = await g.deps.store.getFunction('openfaas-fn', 'keeps')
    expect(after?.generation).toBe(before?.generation)
    expect(after?.spec).toEqual(before?.spec)
    const call = await fetch(`${g.url}/function/keeps`, { method: 'POST', body: 'still' })
    expect(await call.text()).toBe('still')
  })

  it('an environment variable name execve cannot take is refused at deploy too', async () => {
    const res = await api('POST', {
      service: 'bad-env',
      image: 'x',
      envProcess: 'cat',
      envVars: { 'A=B': '1' },
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/envVars names must be non-empty without "="/)
    expect(await g.deps.store.getFunction('openfaas-fn', 'bad-env')).toBeNull()
  })

  it('a function placed on another backend is not held to the local backend’s rules', async () => {
    const res = await api('POST', {
      service: 'elsewhere',
      image: 'ghcr.io/example/elsewhere:latest',
      annotations: { 'edgefaas.dev/backends': 'other' },
    })
    expect(res.status, await res.text()).toBe(202)
    expect((await g.deps.store.getFunction('openfaas-fn', 'elsewhere'))?.placement).toEqual(['other'])
  })

  it('placed on both, the local backend’s refusal is named and nothing is written', async () => {
    const res = await api('POST', {
      service: 'both',
      image: 'ghcr.io/example/both:latest',
      annotations: { 'edgefaas.dev/backends': 'local=50,other=50' },
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/backend "local": the local backend runs a process/)
    expect(await g.deps.store.getFunction('openfaas-fn', 'both')).toBeNull()
  })
})
