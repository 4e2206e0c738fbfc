/**
 * @module
 * Reading the whole of stdin, as text or bytes (secrets, passwords, invocation bodies).
 */
import type { CliIo } from './command-table.ts'

export async function readStdinBytes(io: CliIo): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
}

export async function readStdinText(io: CliIo): Promise<string> {
  return (await readStdinBytes(io)).toString('utf8')
}
