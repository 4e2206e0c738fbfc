/**
 * @module
 * A re-creation of the OpenFaaS classic watchdog, run once per classic-mode replica as
 * `node watchdog.ts [--exit-with-stdin]`. Configured like the original, by env: `port`, `fprocess`,
 * `exec_timeout`, `content_type`, `combine_output` (default true), `max_inflight`.
 *
 * `/_/health` (and `/_/ready`) answer 200 `OK`. Any other GET, POST, PUT, PATCH or DELETE forks
 * `fprocess` (split on whitespace, no shell) with the CGI env of watchdog-env.ts, writes the request body
 * to its stdin and answers its output: 200 on exit 0, 500 with `exit status N` and the output otherwise,
 * 408 `Killed process.` past `exec_timeout`. Log lines match the original (`Forking fprocess.`,
 * `Wrote N Bytes - Duration: Xs`) because the OpenFaaS certifier looks for them; stderr is logged too.
 *
 * With `--exit-with-stdin` it exits when its stdin closes: the provider holds the other end, so a
 * gateway that dies without cleaning up does not leave watchdogs behind.
 */
import { spawn } from 'node:child_process'
import http from 'node:http'
import { cgiEnv, logTimestamp, parseDuration } from './watchdog-env.ts'

const env = process.env
const fprocess = (env.fprocess ?? '').trim().split(/\s+/).filter(Boolean)
const execTimeoutMs = parseDuration(env.exec_timeout, 0)
const combineOutput = env.combine_output ? env.combine_output === 'true' : true
const maxInflight = Number.parseInt(env.max_inflight ?? '0', 10) || 0
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
let inflight = 0

function log(message: string): void {
  process.stdout.write(`${logTimestamp(new Date())}${message}\n`)
}

function reply(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
  res.end(body)
}

function runFunction(req: http.IncomingMessage, res: http.ServerResponse): void {
  const started = performance.now()
  log('Forking fprocess.')
  const child = spawn(fprocess[0] ?? '', fprocess.slice(1), { env: cgiEnv(env, req), stdio: 'pipe' })
  const output: Buffer[] = []
  const errors: Buffer[] = []
  let timedOut = false
  let spawnError: Error | undefined
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => {
    errors.push(chunk)
    if (combineOutput) output.push(chunk)
  })
  // A process that does not read its input (env, echo) closes stdin early: drain the request instead.
  child.stdin.on('error', () => req.resume())
  req.pipe(child.stdin)
  const timer =
    execTimeoutMs > 0
      ? setTimeout(() => {
          timedOut = true
          log(`Killing process: ${fprocess.join(' ')}`)
          child.kill('SIGKILL')
        }, execTimeoutMs)
      : undefined
  child.on('error', (error) => {
    spawnError = error
  })
  child.on('close', (code, signal) => {
    clearTimeout(timer)
    const seconds = (performance.now() - started) / 1_000
    const stderr = Buffer.concat(errors).toString('utf8').trimEnd()
    if (stderr) log(`stderr: ${stderr}`)
    if (timedOut) return reply(res, 408, 'Killed process.\n')
    if (spawnError) {
      log(`Error: ${spawnError.message}`)
      return reply(res, 500, `${spawnError.message}\n`)
    }
    const body = Buffer.concat(output)
    if (code !== 0) {
      const reason = signal ? `signal: ${signal}` : `exit status ${code}`
      log(`Error: ${reason}`)
      return reply(res, 500, Buffer.concat([Buffer.from(`${reason}\n`), body]))
    }
    const contentType = env.content_type || req.headers['content-type'] || 'text/plain'
    reply(res, 200, body, { 'Content-Type': contentType, 'X-Duration-Seconds': seconds.toFixed(6) })
    log(`Wrote ${body.length} Bytes - Duration: ${seconds.toFixed(6)}s`)
  })
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0]
  if (path === '/_/health' || path === '/_/ready') {
    return req.method === 'GET' ? reply(res, 200, 'OK') : reply(res, 405, '')
  }
  if (!METHODS.has(req.method ?? '')) return reply(res, 405, '')
  if (maxInflight > 0 && inflight >= maxInflight) {
    return reply(res, 429, `Concurrent request limit exceeded. Max concurrent requests: ${maxInflight}\n`)
  }
  inflight++
  res.once('close', () => inflight--)
  runFunction(req, res)
})
// Longer than the provider's pooled-socket timeout, so the provider always closes idle sockets first.
server.keepAliveTimeout = 65_000

function shutdown(): void {
  server.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 1_500).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', shutdown)
  process.stdin.on('error', shutdown)
  process.stdin.resume()
}

if (fprocess.length === 0) {
  log('Provide a "fprocess" environmental variable for your function.')
  process.exit(1)
}
const port = Number.parseInt(env.port ?? '8080', 10)
server.listen(port, '127.0.0.1', () => log(`Listening on port: ${port}`))
