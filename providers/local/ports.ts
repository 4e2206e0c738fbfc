/**
 * @module
 * Free loopback ports for replicas. The OS picks the port (bind to 0) and we release it for the child to
 * take; the short window in between can race with another process, in which case the replica fails to
 * listen, exits and is restarted on a new port, so no locking is needed.
 */
import net from 'node:net'

/** Asks the OS for a currently free TCP port on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}
