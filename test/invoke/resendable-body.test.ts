/**
 * A body kept for resending: each attempt reads it from the start; past the limit it streams on once
 * and is no longer replayable; an abandoned attempt's read is not lost to the next one.
 */
import { describe, expect, it } from 'vitest'
import { ResendableBody } from '../../src/invoke/resendable-body.ts'

function source(chunks: number[], fail = false): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) {
        const n = chunks[i++]!
        controller.enqueue(new Uint8Array(n).fill(i))
      } else if (fail) controller.error(new Error('caller went away'))
      else controller.close()
    },
  })
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = []
  for await (const chunk of stream) out.push(...chunk)
  return out
}

async function readSome(stream: ReadableStream<Uint8Array>, chunks: number): Promise<void> {
  const reader = stream.getReader()
  for (let i = 0; i < chunks; i++) await reader.read()
  await reader.cancel()
}

describe('ResendableBody', () => {
  it('gives a second attempt the whole body after the first read part of it', async () => {
    const body = new ResendableBody(source([3, 4, 5]), 100)
    await readSome(body.stream(), 2)
    expect(body.replayable).toBe(true)
    const second = await readAll(body.stream())
    expect(second).toEqual([1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3])
    expect(await readAll(body.stream())).toEqual(second)
  })

  it('streams a body past the limit whole, once, and is then not replayable', async () => {
    const body = new ResendableBody(source([4, 4, 4]), 6)
    const all = await readAll(body.stream())
    expect(all.length).toBe(12)
    expect(all).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    expect(body.replayable).toBe(false)
  })

  it('is replayable while nothing past the limit was read', async () => {
    const body = new ResendableBody(source([4, 4, 4]), 6)
    await readSome(body.stream(), 1)
    expect(body.replayable).toBe(true)
  })

  it('hands a chunk an abandoned attempt read past the limit to the next attempt', async () => {
    const body = new ResendableBody(source([4, 4]), 4)
    const first = body.stream().getReader()
    await first.read() // chunk 1, kept
    const pending = first.read() // chunk 2 is read past the limit …
    const second = readAll(body.stream()) // … while a new attempt starts
    await expect(pending).rejects.toThrow(/sent again elsewhere/)
    expect(await second).toEqual([1, 1, 1, 1, 2, 2, 2, 2])
  })

  it("passes the caller's body error on to the attempt", async () => {
    const body = new ResendableBody(source([2], true), 100)
    await expect(readAll(body.stream())).rejects.toThrow('caller went away')
  })

  it('keeps an empty body replayable', async () => {
    const body = new ResendableBody(source([]), 0)
    expect(await readAll(body.stream())).toEqual([])
    expect(await readAll(body.stream())).toEqual([])
    expect(body.replayable).toBe(true)
  })
})
