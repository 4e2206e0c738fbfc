/**
 * A CA that accepts the connection and never answers (a firewall dropping packets, a hung CA): each
 * request to it is bounded, so the order fails with a message saying so, which the ACME job records on
 * the domain as its last error (instead of the domain staying "pending" with nothing to read).
 */
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createAcmeOrderer } from '../../src/runtime/node/acme/order.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import { createSecretCipher, generateSecretsKey } from '../../src/store/cipher.ts'

let silent: Server
const sockets: Socket[] = []

beforeAll(async () => {
  silent = createServer((socket) => {
    // Reads what it is sent and says nothing back.
    sockets.push(socket)
    socket.resume()
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => silent.close(resolve))
})

it('an order against a CA that never answers fails within the request timeout, saying so', async () => {
  const { store, close } = await openStore(':memory:', tmpdir())
  try {
    const address = silent.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    const order = createAcmeOrderer({
      config: {
        directoryUrl: `http://127.0.0.1:${address.port}/dir`,
        email: undefined,
        caFile: undefined,
        externalAccount: undefined,
      },
      store,
      cipher: await createSecretCipher(generateSecretsKey()),
      requestTimeoutMs: 300,
    })
    const started = Date.now()
    const failure = await order('silent.example.com').then(
      () => null,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(Error)
    expect((failure as Error).message).toMatch(/no answer from the ACME server http:\/\/127.0.0.1:\d+\/dir/)
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(sockets.length).toBeGreaterThan(0)
  } finally {
    await close()
  }
})
