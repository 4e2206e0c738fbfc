/**
 * @module
 * A real local Lambda Invoke endpoint for tests: serverless 3 + serverless-offline 13 (toolchain.md: the
 * one local server of Lambda's Invoke API; every other Lambda call 404s), on free loopback ports, running
 * the handler test/fixtures/lambda/handler.mjs under the Lambda function names given. Point a
 * LambdaClient's `endpoint` at `endpoint`. The service lives in a fresh folder under
 * test/fixtures/lambda/ (ignored by git), so serverless finds its plugin in this checkout's
 * node_modules by the usual lookup, with no link to the shared node_modules that a cleanup of /tmp
 * could follow; HOME is inside it, and telemetry is off. It is removed on stop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { freePort } from './free-port.ts'
import { pollUntil } from './poll.ts'
import { accepting } from './processes.ts'

const ROOT = resolve(import.meta.dirname, '../..')

export interface LambdaOffline {
  /** `http://127.0.0.1:PORT`, the LambdaClient `endpoint`. */
  endpoint: string
  stop(): Promise<void>
}

export interface LambdaOfflineOptions {
  /** Lambda function names to serve, each running the fixture handler. */
  functionNames: string[]
  /** The functions' timeout in seconds (Lambda's `Timeout`). Default 3. */
  timeoutSeconds?: number
}

export async function startLambdaOffline(options: LambdaOfflineOptions): Promise<LambdaOffline> {
  const dir = await mkdtemp(join(ROOT, 'test/fixtures/lambda/.offline-'))
  await copyFile(join(ROOT, 'test/fixtures/lambda/handler.mjs'), join(dir, 'handler.mjs'))
  const functions = options.functionNames
    .map((name, i) => `  fn${i}:\n    name: ${name}\n    handler: handler.handler\n`)
    .join('')
  await writeFile(
    join(dir, 'serverless.yml'),
    [
      'service: edgefaas-test',
      "frameworkVersion: '3'",
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  region: eu-west-1',
      `  timeout: ${options.timeoutSeconds ?? 3}`,
      'functions:',
      functions,
      'plugins:',
      '  - serverless-offline',
      '',
    ].join('\n'),
  )
  const lambdaPort = await freePort()
  const httpPort = await freePort()
  const home = join(dir, 'home')
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/serverless/bin/serverless.js'),
      'offline',
      'start',
      '--host',
      '127.0.0.1',
      '--lambdaPort',
      String(lambdaPort),
      '--httpPort',
      String(httpPort),
      '--noPrependStageInUrl',
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        SLS_INTERACTIVE_SETUP_DISABLE: '1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      const gone = new Promise((r) => child.once('exit', r))
      // The whole group: serverless-offline runs handlers in worker threads of its own process.
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {}
      const timer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
        } catch {}
      }, 3_000)
      await gone
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await pollUntil(
      'serverless-offline to listen',
      async () => {
        if (exited) throw new Error(`serverless-offline exited:\n${output}`)
        return await accepting(lambdaPort)
      },
      60_000,
      100,
    )
  } catch (error) {
    await stop()
    throw error
  }
  return { endpoint: `http://127.0.0.1:${lambdaPort}`, stop }
}
