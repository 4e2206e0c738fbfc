/**
 * The floor of any proxy on Node here: a process that only copies HTTP/1.1 messages between two raw
 * sockets, with one upstream connection per client connection. No parser beyond finding the end of the
 * head and its Content-Length, no header rules, no routing, no timeouts, no pool: not a usable proxy
 * (chunked bodies, errors and pipelining past one upstream are not handled), only the cost of putting a
 * Node process in the path of a call, two reads, two writes and two event-loop wake-ups per call.
 * `TARGET` is the upstream port.
 */
import net from 'node:net'

const target = Number(process.env.TARGET)
const END_OF_HEAD = Buffer.from('\r\n\r\n')
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i

/** Passes whole messages from `from` to `to` as they complete; bytes of an incomplete one are kept. */
function relay(from: net.Socket, to: net.Socket): void {
  let pending: Buffer = Buffer.alloc(0)
  from.on('data', (data: Buffer) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data])
    for (;;) {
      const headEnd = pending.indexOf(END_OF_HEAD)
      if (headEnd === -1) return
      const length = Number(CONTENT_LENGTH.exec(pending.toString('latin1', 0, headEnd))?.[1] ?? 0)
      const messageEnd = headEnd + END_OF_HEAD.length + length
      if (pending.length < messageEnd) return
      to.write(pending.subarray(0, messageEnd))
      pending = pending.subarray(messageEnd)
    }
  })
}

net
  .createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: target, host: '127.0.0.1', noDelay: true })
    relay(client, upstream)
    relay(upstream, client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => {})
    upstream.on('error', () => {})
  })
  .listen(Number(process.env.PORT), '127.0.0.1')
