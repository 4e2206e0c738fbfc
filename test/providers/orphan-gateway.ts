/**
 * @module
 * A stand-in gateway process for local-orphans.test.ts: starts a classic and an HTTP-mode function with
 * the sandbox named in argv[2] and the data dir in argv[3], prints their replica PIDs as one JSON line,
 * then idles until killed.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createLocalProvider } from '../../providers/local/index.ts'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { quietLogger } from './local-helpers.ts'

const sandbox = process.argv[2] === 'bwrap' || process.argv[2] === 'user' ? process.argv[2] : 'none'
const dataDir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'edgefaas-orphans-'))
const provider = createLocalProvider({ dataDir, sandbox, logger: quietLogger })
const namespace = 'openfaas-fn'
const specs = {
  classic: { image: 'x', envProcess: 'cat' },
  http: { image: 'x', envProcess: nodeCommand('http-server.ts'), envVars: { mode: 'http' } },
}
for (const [name, spec] of Object.entries(specs)) {
  await provider.apply({ name, namespace, spec, replicas: 1, generation: 1, secrets: {} })
}
const pids: number[] = []
for (const name of Object.keys(specs)) {
  while ((await provider.status(namespace, name))?.availableReplicas !== 1)
    await new Promise((r) => setTimeout(r, 20))
  for (const instance of await provider.instances(namespace, name)) if (instance.pid) pids.push(instance.pid)
}
process.stdout.write(`${JSON.stringify(pids)}\n`)
setInterval(() => {}, 60_000)
