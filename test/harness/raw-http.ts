/**
 * @module
 * HTTP/1.1 over a raw socket, for tests about framing: sends exactly the given bytes (so a test can write
 * pipelined requests, conflicting length headers or a body a client library would refuse) and parses the
 * responses that come back on the same connection.
 */
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>
  body: string
}

/**
 * Writes `bytes` to `port` on 127.0.0.1 and reads `expected` responses; `heads[i]` is true when the i-th
 * request was a HEAD (its response has no body whatever it announces). Rejects when the connection closes
 * or `timeoutMs` passes before that many responses arrived, with what was received so far.
 */
export function rawExchange(
  port: number,
  bytes: string,
  expected: number,
  options: { heads?: boolean[]; timeoutMs?: number } = {},
): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const responses: RawResponse[] = []
    let buffer = Buffer.alloc(0)
    const fail = (why: string) => {
      clearTimeout(timer)
      socket.destroy()
      reject(
        new Error(
          `${why} after ${responses.length}/${expected} responses; unparsed: ${buffer.toString('latin1')}`,
        ),
      )
    }
    const timer = setTimeout(() => fail('timed out'), options.timeoutMs ?? 10_000)
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const parsed = parseResponse(buffer, options.heads?.[responses.length] ?? false)
        if (!parsed) break
        responses.push(parsed.response)
        buffer = buffer.subarray(parsed.consumed)
        if (responses.length === expected) {
          clearTimeout(timer)
          socket.destroy()
          resolve(responses)
          return
        }
      }
    })
    socket.on('error', (error) => fail(error.message))
    socket.on('close', () => fail('connection closed'))
    socket.write(bytes, 'latin1')
  })
}

function parseResponse(buffer: Buffer, head: boolean): { response: RawResponse; consumed: number } | null {
  const end = buffer.indexOf('\r\n\r\n')
  if (end === -1) return null
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(lines[0]?.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  let offset = end + 4
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { response: { status, headers, body: '' }, consumed: offset }
  }
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
    const parts: Buffer[] = []
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', offset)
      if (lineEnd === -1) return null
      const size = Number.parseInt(buffer.subarray(offset, lineEnd).toString('latin1'), 16)
      offset = lineEnd + 2
      if (size === 0) {
        const trailerEnd = buffer.indexOf('\r\n', offset)
        if (trailerEnd === -1) return null
        return {
          response: { status, headers, body: Buffer.concat(parts).toString('latin1') },
          consumed: trailerEnd + 2,
        }
      }
      if (buffer.length < offset + size + 2) return null
      parts.push(buffer.subarray(offset, offset + size))
      offset += size + 2
    }
  }
  const length = Number(headers['content-length'] ?? 0)
  if (buffer.length < offset + length) return null
  return {
    response: { status, headers, body: buffer.subarray(offset, offset + length).toString('latin1') },
    consumed: offset + length,
  }
}
