/**
 * @module
 * Request/answer and one-way messages between the gateway's processes over Node's IPC channel (the pipe
 * `child_process.fork` opens). Symmetric: the primary asks a worker for its metrics, a worker asks the
 * primary for a replica or a rate-limit decision. A ProviderError crosses as its code and message, so
 * the asking side answers it exactly as the local provider would (404, 503…).
 */
import { ProviderError, type ProviderErrorCode } from '../../../../providers/types.ts'

/** Either end of the pipe: `process` in a worker, the `ChildProcess` in the primary. */
export interface IpcEndpoint {
  // biome-ignore lint/suspicious/noExplicitAny: Node's own signature (Serializable) differs per endpoint
  send?: ((message: any) => boolean) | undefined
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
  readonly connected?: boolean
}

interface CallMessage {
  kind: 'call'
  id: number
  op: string
  args: unknown[]
}
interface ReplyMessage {
  kind: 'reply'
  id: number
  value?: unknown
  error?: { message: string; code?: ProviderErrorCode }
}
/** A message without an answer: `kind` names it. */
export interface EventMessage {
  kind: string
  [field: string]: unknown
}

type Handler = (...args: never[]) => unknown

export class ChannelClosedError extends Error {
  constructor() {
    super('the other gateway process is gone')
    this.name = 'ChannelClosedError'
  }
}

export class Channel {
  readonly #endpoint: IpcEndpoint
  readonly #handlers = new Map<string, Handler>()
  readonly #events = new Map<string, (message: EventMessage) => void>()
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>()
  #next = 1
  #closed = false
  readonly #listener = (message: unknown) => this.#receive(message)

  readonly #onReceive: ((name: string) => void) | undefined

  /** `onReceive` sees the name of every message from the other side: a call's op, an event's kind. */
  constructor(endpoint: IpcEndpoint, onReceive?: (name: string) => void) {
    this.#endpoint = endpoint
    this.#onReceive = onReceive
    endpoint.on('message', this.#listener)
  }

  /** Answers `op` calls from the other side with `handler(...args)`. */
  handle<A extends unknown[]>(op: string, handler: (...args: A) => unknown): void {
    this.#handlers.set(op, handler as unknown as Handler)
  }

  /** Runs `listener` for each one-way message of this kind. */
  onEvent(kind: string, listener: (message: EventMessage) => void): void {
    this.#events.set(kind, listener)
  }

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    if (this.#closed) return Promise.reject(new ChannelClosedError())
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      if (!this.#post({ kind: 'call', id, op, args } satisfies CallMessage)) {
        this.#pending.delete(id)
        reject(new ChannelClosedError())
      }
    })
  }

  /** Sends a one-way message; false when the pipe is closed. */
  send(message: EventMessage): boolean {
    return this.#post(message)
  }

  /** Fails every call still waiting (the other process exited) and stops listening. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#endpoint.off('message', this.#listener)
    for (const { reject } of this.#pending.values()) reject(new ChannelClosedError())
    this.#pending.clear()
  }

  #post(message: unknown): boolean {
    if (this.#closed || this.#endpoint.connected === false || !this.#endpoint.send) return false
    try {
      this.#endpoint.send(message)
      return true
    } catch {
      return false
    }
  }

  #receive(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) return
    const message = raw as { kind?: unknown }
    if (this.#onReceive && typeof message.kind === 'string' && message.kind !== 'reply')
      this.#onReceive(message.kind === 'call' ? String((raw as CallMessage).op) : message.kind)
    if (message.kind === 'call') void this.#answer(raw as CallMessage)
    else if (message.kind === 'reply') this.#settle(raw as ReplyMessage)
    else if (typeof message.kind === 'string') this.#events.get(message.kind)?.(raw as EventMessage)
  }

  async #answer(call: CallMessage): Promise<void> {
    const handler = this.#handlers.get(call.op)
    let reply: ReplyMessage
    try {
      if (!handler) throw new Error(`no handler for ${call.op}`)
      const value = await (handler as (...args: unknown[]) => unknown)(...call.args)
      reply = { kind: 'reply', id: call.id, value }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      reply = {
        kind: 'reply',
        id: call.id,
        error: ProviderError.is(error) ? { message, code: error.code } : { message },
      }
    }
    this.#post(reply)
  }

  #settle(reply: ReplyMessage): void {
    const pending = this.#pending.get(reply.id)
    if (!pending) return
    this.#pending.delete(reply.id)
    if (!reply.error) pending.resolve(reply.value)
    else if (reply.error.code) pending.reject(new ProviderError(reply.error.code, reply.error.message))
    else pending.reject(new Error(reply.error.message))
  }
}
