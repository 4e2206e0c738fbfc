/**
 * A reference proxy for `npm run bench`: a node:http server with an undici `Pool` upstream, the response
 * streamed straight into the server response (`Pool.stream`), doing nothing else. With the bare
 * node:http proxy (bare-proxy.ts) it shows what a proxy on Node can reach on this machine.
 * `TARGET` is the upstream port. `REUSE_PORT=1` binds with `SO_REUSEPORT`, so several copies can serve one
 * port as a multi-process gateway does (bench/processes.ts: does a second process of a proxy doing nothing
 * else pay on this machine?).
 */
import http from 'node:http'
import { Pool } from 'undici'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host'])
const pool = new Pool(`http://127.0.0.1:${Number(process.env.TARGET)}`, { pipelining: 1 })
http
  .createServer((req, res) => {
    const headers: string[] = []
    const raw = req.rawHeaders
    for (let i = 0; i < raw.length; i += 2) {
      if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) headers.push(raw[i]!, raw[i + 1]!)
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    pool
      .stream(
        { path: req.url ?? '/', method: req.method as 'GET', headers, body: hasBody ? req : null },
        ({ statusCode, headers: answer }) => {
          delete answer.connection
          delete answer['keep-alive']
          res.writeHead(statusCode, answer)
          return res
        },
      )
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end()
        else res.destroy()
      })
  })
  .listen({ port: Number(process.env.PORT), host: '127.0.0.1', reusePort: process.env.REUSE_PORT === '1' })
// An orderly exit on SIGTERM, so a `--cpu-prof` run (bench/profile-hotpath.ts) writes its profile.
process.on('SIGTERM', () => process.exit(0))
