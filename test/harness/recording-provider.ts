/**
 * A Provider whose functions answer in-process and record every invocation (function, body, headers,
 * time), for tests of what reached a function. A function whose name starts with `fail` answers 500.
 */
import type { Provider } from '../../providers/types.ts'
import { createMemoryProvider } from './memory-provider.ts'

export interface Invocation {
  namespace: string
  name: string
  body: string
  headers: Record<string, string>
  at: number
}

export interface RecordingProvider extends Provider {
  invocations: Invocation[]
}

export function createRecordingProvider(): RecordingProvider {
  const invocations: Invocation[] = []
  const base = createMemoryProvider('instance')
  return Object.assign(base, {
    kind: 'recording',
    invocations,
    async invoke(
      namespace: string,
      name: string,
      _path: string,
      request: { headers: Headers; body: ReadableStream<Uint8Array> | null },
    ) {
      const body = request.body ? await new Response(request.body).text() : ''
      invocations.push({
        namespace,
        name,
        body,
        headers: Object.fromEntries(request.headers),
        at: Date.now(),
      })
      return new Response(name.startsWith('fail') ? 'failed on purpose' : 'ok', {
        status: name.startsWith('fail') ? 500 : 200,
      })
    },
  })
}
