/**
 * @module
 * A raw TCP "HTTP server" for upstream-client tests: it reads each request (head, and a body of its
 * Content-Length) on every connection, in order, and lets the test answer with exactly the bytes it
 * chooses — malformed heads, chunked bodies, 1xx answers, keep-alive or not, resets. It counts
 * connections and records each request's head, so a test can say which connection carried which call.
 */
import { createServer, type Server, type Socket } from 'node:net'

export interface ScriptedRequest {
  /** The request line and headers as received (Latin-1), without the final CRLFCRLF. */
  head: string
  body: Buffer
  /** 1-based number of the connection it came on. */
  connection: number
  socket: Socket
}

export interface ScriptedUpstream {
  origin: string
  port: number
  requests: ScriptedRequest[]
  /** Connections accepted so far. */
  readonly connections: number
  /** Connections closed so far. */
  readonly closed: number
  close(): Promise<void>
}

/** Answers each request with `answer` (write to `request.socket`, end it, reset it…). */
export async function scriptedUpstream(
  answer: (request: ScriptedRequest) => void,
): Promise<ScriptedUpstream> {
  const sockets = new Set<Socket>()
  const requests: ScriptedRequest[] = []
  let connections = 0
  let closed = 0
  const server: Server = createServer((socket) => {
    const number = ++connections
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => {
      closed++
      sockets.delete(socket)
    })
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buffer.toString('latin1', 0, end)
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffer.length < end + 4 + length) return
        const request = { head, body: buffer.subarray(end + 4, end + 4 + length), connection: number, socket }
        buffer = buffer.subarray(end + 4 + length)
        requests.push(request)
        answer(request)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    get connections() {
      return connections
    },
    get closed() {
      return closed
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A complete response with a Content-Length, as one string. */
export function answerWith(status: number, body: string, headers: Record<string, string> = {}): string {
  let head = `HTTP/1.1 ${status} X\r\n`
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}
