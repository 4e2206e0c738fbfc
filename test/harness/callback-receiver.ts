/**
 * A callback receiver on a free loopback port that records every POST by its `X-Call-Id`.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedCallback {
  headers: http.IncomingHttpHeaders
  body: string
}

export interface CallbackReceiver {
  url: string
  /** Every callback received, per call id, in arrival order. */
  calls: Map<string, ReceivedCallback[]>
  /** Status the receiver answers with (change it to simulate a failing receiver). */
  status: number
  /** TCP connections accepted so far (how many a sender opened). */
  connections(): number
  close(): Promise<void>
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  let accepted = 0
  const receiver: CallbackReceiver = {
    url: '',
    calls: new Map(),
    status: 200,
    connections: () => accepted,
    close: async () => {},
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (receiver.status < 300) {
        const id = String(req.headers['x-call-id'])
        receiver.calls.set(id, [
          ...(receiver.calls.get(id) ?? []),
          { headers: req.headers, body: Buffer.concat(chunks).toString() },
        ])
      }
      res.writeHead(receiver.status).end()
    })
  })
  server.on('connection', () => {
    accepted++
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return receiver
}
