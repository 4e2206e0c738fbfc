/**
 * The ceiling for any proxy written on Node's HTTP stack: a bare node:http reverse proxy with a
 * keep-alive agent, piping both ways, doing nothing else. `TARGET` is the upstream port.
 */
import http from 'node:http'

const agent = new http.Agent({ keepAlive: true })
const target = Number(process.env.TARGET)
http
  .createServer((req, res) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers, agent },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  .listen(Number(process.env.PORT), '127.0.0.1')
