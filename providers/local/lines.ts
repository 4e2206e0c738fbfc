/**
 * @module
 * Splits a child's output stream into lines for the log buffer. Very long lines are cut so one runaway
 * writer cannot grow memory without bound; a trailing partial line is flushed when the stream ends.
 */
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'

const MAX_LINE_CHARS = 16 * 1024

/** Calls `onLine` for every line of `stream` (without its newline). */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  const emit = (text: string): void => {
    for (let i = 0; i < text.length; i += MAX_LINE_CHARS) onLine(text.slice(i, i + MAX_LINE_CHARS))
    if (text.length === 0) onLine('')
  }
  stream.on('data', (chunk: Buffer) => {
    pending += decoder.write(chunk)
    let newline = pending.indexOf('\n')
    while (newline !== -1) {
      emit(pending.slice(0, newline).replace(/\r$/, ''))
      pending = pending.slice(newline + 1)
      newline = pending.indexOf('\n')
    }
    if (pending.length > MAX_LINE_CHARS) {
      emit(pending)
      pending = ''
    }
  })
  stream.on('end', () => {
    pending += decoder.end()
    if (pending.length > 0) emit(pending)
    pending = ''
  })
  // A broken pipe on our side only ends the stream of lines.
  stream.on('error', () => {})
}
