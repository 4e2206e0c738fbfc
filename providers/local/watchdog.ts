/**
 * @module
 * A re-creation of the OpenFaaS classic watchdog, run once per classic-mode replica as
 * `node watchdog.ts [--exit-with-stdin]`. Configured like the original, by env: `port`, `fprocess`,
 * `exec_timeout`, `content_type`, `combine_output` (default true), `max_inflight`.
 *
 * `/_/health` (and `/_/ready`) answer 200 `OK`. Any other GET, POST, PUT, PATCH or DELETE forks
 * `fprocess` (split on whitespace, no shell) with the CGI env of watchdog-env.ts, writes the request body
 * to its stdin and answers its output: 200 on exit 0, 500 with `exit status N` and the output otherwise,
 * 408 `Killed process.` past `exec_timeout` (0, the default, means none; the local provider always sets
 * one). Log lines match the original (`Forking fprocess.`, `Wrote N Bytes - Duration: Xs`) because the
 * OpenFaaS certifier looks for them; stderr is logged too.
 *
 * Each call's process leads its own process group, and the call's end ends the group: on answer, past
 * `exec_timeout`, or when the caller goes away first. So nothing a call forked (`sh -c 'a & b'`) outlives
 * it, unless it leaves the group itself (setsid); the bubblewrap sandbox's PID namespace catches those.
 *
 * SIGTERM ends the running calls at once (they answer 500, as their processes got a signal) and exits
 * once those answers are written: the provider sends it only to a replica it has drained already, or
 * one it must stop now. With `--exit-with-stdin` it does the same when its stdin closes: the provider
 * holds the other end, so a gateway that dies without cleaning up leaves no watchdog behind.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import { cgiEnv, logTimestamp, parseDuration } from './watchdog-env.ts'

const env = process.env
const fprocess = (env.fprocess ?? '').trim().split(/\s+/).filter(Boolean)
const execTimeoutMs = parseDuration(env.exec_timeout, 0)
const combineOutput = env.combine_output ? env.combine_output === 'true' : true
const maxInflight = Number.parseInt(env.max_inflight ?? '0', 10) || 0
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
/** How long the answers of ended calls may take to be written before the watchdog exits regardless. */
const SHUTDOWN_GRACE_MS = 1_500
let inflight = 0
/** The process of every running call, each the leader of its call's process group. */
const calls = new Set<ChildProcess>()

/** Kills the call's whole process group: the forked process and everything it forked. */
function killCall(child: ChildProcess): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // ESRCH: nothing of the call is left.
  }
}

function log(message: string): void {
  process.stdout.write(`${logTimestamp(new Date())}${message}\n`)
}

function reply(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  headers: http.OutgoingHttpHeaders = {},
): void {
  // A known length, as Go's net/http gives a short answer written at once; chunked framing would also
  // make the provider stream a body it could otherwise pass on whole.
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
    'Content-Length': Buffer.byteLength(body),
  })
  res.end(body)
}

function runFunction(req: http.IncomingMessage, res: http.ServerResponse): void {
  const started = performance.now()
  log('Forking fprocess.')
  // detached: a new session, so a process group of its own that one signal ends as a whole.
  const child = spawn(fprocess[0] ?? '', fprocess.slice(1), {
    env: cgiEnv(env, req),
    stdio: 'pipe',
    detached: true,
  })
  calls.add(child)
  const output: Buffer[] = []
  const errors: Buffer[] = []
  let answered = false
  let spawnError: Error | undefined
  // Ends everything the call started. Also after a normal exit: background processes left in the
  // group (`sleep 100 >/dev/null &`) would otherwise run on with nobody waiting for them.
  const end = (): void => {
    clearTimeout(timer)
    calls.delete(child)
    killCall(child)
    // A process that left the group may still hold the pipes open; stop waiting for it.
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy()
  }
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
          answered = true
          log(`Killing process: ${fprocess.join(' ')}`)
          end()
          reply(res, 408, 'Killed process.\n')
        }, execTimeoutMs)
      : undefined
  // The caller went away before the answer: nobody waits for the work any more.
  res.once('close', () => {
    if (answered || res.writableFinished) return
    answered = true
    log(`Caller went away, killing process: ${fprocess.join(' ')}`)
    end()
  })
  child.on('error', (error) => {
    spawnError = error
  })
  child.on('close', (code, signal) => {
    if (answered) return
    answered = true
    end()
    const seconds = (performance.now() - started) / 1_000
    const stderr = Buffer.concat(errors).toString('utf8').trimEnd()
    if (stderr) log(`stderr: ${stderr}`)
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

/** Ends every running call and exits once their answers are written (or after SHUTDOWN_GRACE_MS). */
function shutdown(): void {
  for (const child of calls) killCall(child)
  server.close(() => process.exit(0))
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref()
}
// Whatever way it exits, no call's process group is left behind.
process.on('exit', () => {
  for (const child of calls) killCall(child)
})
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
