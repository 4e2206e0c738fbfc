/**
 * The trivial upstream of the benchmark: answers every request with a 2-byte body, keep-alive on.
 * Run directly (`PORT=… node bench/upstream.ts`) for the "direct" floor, and as an http-mode function
 * behind the gateway for the "through edgefaas" path: the same program both ways.
 */
import http from 'node:http'

const body = Buffer.from('ok')
const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length })
    res.end(body)
  })
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => server.close(() => process.exit(0)))
