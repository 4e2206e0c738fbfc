/**
 * @module
 * TLS probes for tests: the certificate a server presents for a given SNI name, and whether the
 * handshake succeeds at all, checked against a given CA.
 */
import { connect, type PeerCertificate } from 'node:tls'

/** The leaf the server presents for `servername`, verified against `ca`; rejects when the handshake fails. */
export function presentedCertificate(port: number, servername: string, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: true }, () => {
      const cert = socket.getPeerCertificate()
      socket.end()
      resolve(cert)
    })
    socket.once('error', reject)
  })
}
