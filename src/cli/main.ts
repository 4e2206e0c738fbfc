#!/usr/bin/env node
/**
 * @module
 * The `edgefaas` command. `serve` (the default) runs the gateway, `worker` runs only the background
 * work and the async worker against the same store and queue; every other command is a client of a
 * gateway: stack files (`deploy`, `plan`, `apply`), functions, secrets, namespaces, backends, async
 * calls. The commands are data (commands/), parsed by one adapter (parse-args.ts). docs/cli.md.
 */
import { runCli } from './run.ts'

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  isTty: process.stdout.isTTY === true,
})
// Writes to pipes and files are synchronous on Linux, so nothing printed is lost by exiting now.
if (code !== null) process.exit(code)
