/**
 * A reverse proxy on a free loopback port that forwards everything to `target` and holds the answers to
 * `/function/*` back by `delayMs`: a backend behind a slow link, for routing tests.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface DelayProxy {
  url: string
  close(): Promise<void>
}

export async function startDelayProxy(target: string, delayMs: number): Promise<DelayProxy> {
  const { hostname, port } = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: hostname, port, path: req.url, method: req.method, headers: req.headers, agent },
      (answer) => {
        const delay = req.url?.startsWith('/function/') ? delayMs : 0
        setTimeout(() => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }, delay)
      },
    )
    upstream.once('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
