/**
 * @module
 * Keep-alive `node:net` connections per origin for the wire client: at most `connectionsPerOrigin`
 * open (the rest wait, first come first served), idle ones reused most-recent first, each checked
 * before it is handed out (destroyed, ended by the server, or idle past its limit: closed instead).
 *
 * A connection goes back only through {@link Connection.release}, which the client calls when the
 * request was fully written, the response fully read and both sides allow keep-alive. It becomes
 * usable one event-loop turn later (as undici does): a server that closes right after answering has its
 * FIN read by then, so the next request does not go out on a dying socket. Idle connections close
 * after `idleSocketMs`, or sooner when the server's `Keep-Alive: timeout=N` says so (N less undici's
 * 2 s margin); bytes arriving on an idle connection (a server that sent more than it framed) close it.
 */
import { connect, type Socket } from 'node:net'

/** What a connection reports to the exchange it carries. */
export interface ConnectionUser {
  /** The connection that carries the request (still connecting, or reused): destroying it cancels. */
  attached(connection: Connection): void
  data(chunk: Buffer): void
  /** The server ended its side. */
  eof(): void
  /** The socket closed; `error` when it failed. `connected` false: it never connected (nothing sent). */
  closed(error: Error | null, connected: boolean): void
}

export interface SocketPoolOptions {
  idleSocketMs: number
  connectTimeoutMs: number
  connectionsPerOrigin: number
}

/** undici's `keepAliveTimeoutThreshold`: a server's keep-alive timeout is trusted less this margin. */
const KEEP_ALIVE_MARGIN_MS = 2_000

export class Connection {
  readonly socket: Socket
  readonly origin: OriginPool
  user: ConnectionUser | null = null
  connected = false
  idleSince = 0
  idleLimitMs = 0
  #error: Error | null = null
  #pending: Buffer | null = null

  constructor(origin: OriginPool, socket: Socket) {
    this.origin = origin
    this.socket = socket
    socket.on('data', (chunk: Buffer) => this.#data(chunk))
    socket.on('end', () => this.user?.eof())
    socket.on('error', (error: Error) => {
      this.#error ??= error
    })
    socket.on('close', () => this.#closed())
  }

  /** Carries `user`'s request: written at once (a new socket sends it when connected). */
  assign(user: ConnectionUser, request: Buffer): void {
    this.user = user
    if (this.idleSince !== 0) this.socket.ref()
    user.attached(this)
    if (this.connected) this.socket.write(request)
    else this.#pending = request
  }

  onConnect(): void {
    this.connected = true
    this.socket.setTimeout(0)
    const request = this.#pending
    this.#pending = null
    if (request && this.user) this.socket.write(request)
  }

  /** True when everything written has left for the kernel. */
  get flushed(): boolean {
    return this.socket.writableLength === 0
  }

  /**
   * The exchange is over and the connection may carry another: back to the pool a turn later.
   * `serverTimeoutMs` is the server's Keep-Alive timeout (-1 when none).
   */
  release(serverTimeoutMs: number): void {
    this.user = null
    let limit = this.origin.pools.options.idleSocketMs
    if (serverTimeoutMs >= 0) limit = Math.min(limit, serverTimeoutMs - KEEP_ALIVE_MARGIN_MS)
    if (limit <= 0 || this.origin.pools.closed) {
      this.socket.destroy()
      return
    }
    this.idleLimitMs = limit
    this.origin.pools.releaseLater(this)
  }

  /** Closes the connection (its user, if any, hears `closed`). */
  destroy(error?: Error): void {
    this.socket.destroy(error)
  }

  /** Usable for another request now: open, not ended by the server, not idle too long. */
  usable(now: number): boolean {
    const socket = this.socket
    return (
      !socket.destroyed && socket.writable && !socket.readableEnded && now - this.idleSince < this.idleLimitMs
    )
  }

  #data(chunk: Buffer): void {
    const user = this.user
    if (user) user.data(chunk)
    else this.socket.destroy() // bytes on an idle connection: the server sent more than it framed
  }

  #closed(): void {
    this.origin.forget(this)
    const user = this.user
    this.user = null
    user?.closed(this.#error, this.connected)
  }
}

/** A request waiting for a connection of a full origin. */
export interface Waiter {
  user: ConnectionUser
  request: Buffer
  /** Cancelled while waiting: skipped. */
  cancelled: boolean
}

export class OriginPool {
  readonly pools: SocketPools
  readonly key: string
  readonly host: string
  readonly port: number
  /** Idle connections, most recently used last. */
  readonly idle: Connection[] = []
  readonly waiting: Waiter[] = []
  open = 0
  /** No longer in its client's map (it had no connection left): callers holding it get a new one. */
  dropped = false

  constructor(pools: SocketPools, key: string, host: string, port: number) {
    this.pools = pools
    this.key = key
    this.host = host
    this.port = port
  }

  /** Sends `request` for `user` on an idle connection, a new one, or when one frees up. */
  dispatch(user: ConnectionUser, request: Buffer): Waiter | null {
    const now = Date.now()
    const idle = this.idle
    while (idle.length > 0) {
      const connection = idle.pop()!
      if (connection.usable(now)) {
        connection.assign(user, request)
        return null
      }
      connection.socket.destroy()
    }
    if (this.open < this.pools.options.connectionsPerOrigin) {
      this.#connect().assign(user, request)
      return null
    }
    const waiter: Waiter = { user, request, cancelled: false }
    this.waiting.push(waiter)
    return waiter
  }

  /** A released connection, one turn later: to the first waiter, else idle. */
  reuse(connection: Connection): void {
    const socket = connection.socket
    if (socket.destroyed || !socket.writable || socket.readableEnded || this.pools.closed) {
      socket.destroy()
      return
    }
    connection.idleSince = Date.now()
    const waiter = this.#nextWaiter()
    if (waiter) {
      connection.assign(waiter.user, waiter.request)
      return
    }
    // An idle connection does not keep the process alive (as node:http's agent and undici).
    socket.unref()
    this.idle.push(connection)
    this.pools.watchIdle()
  }

  /** A connection closed: no longer counted; a waiter gets a new one in its place. */
  forget(connection: Connection): void {
    this.open--
    const at = this.idle.indexOf(connection)
    if (at !== -1) this.idle.splice(at, 1)
    const waiter = this.waiting.length > 0 ? this.#nextWaiter() : null
    if (waiter) this.#connect().assign(waiter.user, waiter.request)
    else if (this.open === 0 && this.idle.length === 0) this.pools.drop(this)
  }

  /** Closes idle connections past their limit. */
  sweep(now: number): void {
    const idle = this.idle
    for (let i = idle.length - 1; i >= 0; i--) {
      const connection = idle[i]!
      if (!connection.usable(now)) connection.socket.destroy() // its close event removes it
    }
  }

  #nextWaiter(): Waiter | null {
    while (this.waiting.length > 0) {
      const waiter = this.waiting.shift()!
      if (!waiter.cancelled) return waiter
    }
    return null
  }

  #connect(): Connection {
    this.open++
    const { connectTimeoutMs } = this.pools.options
    const socket = connect({ host: this.host, port: this.port, noDelay: true })
    const connection = new Connection(this, socket)
    socket.setTimeout(connectTimeoutMs)
    socket.once('timeout', () => {
      if (!connection.connected) {
        socket.destroy(
          Object.assign(new Error(`connect timed out after ${connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }),
        )
      }
    })
    socket.once('connect', () => connection.onConnect())
    return connection
  }
}

/** Every origin's pool of one client. */
export class SocketPools {
  readonly options: SocketPoolOptions
  closed = false
  readonly #origins = new Map<string, OriginPool>()
  #released: Connection[] = []
  #releaseScheduled = false
  #sweeper: ReturnType<typeof setInterval> | null = null
  readonly #reuseReleased = () => this.#reuseAll()

  constructor(options: SocketPoolOptions) {
    this.options = options
  }

  /** The pool of `key` (`http://host:port`), made on first use. */
  origin(key: string, host: string, port: number): OriginPool {
    let pool = this.#origins.get(key)
    if (!pool) {
      pool = new OriginPool(this, key, host, port)
      this.#origins.set(key, pool)
    }
    return pool
  }

  /** Looks up an existing pool without making one. */
  existing(key: string): OriginPool | undefined {
    return this.#origins.get(key)
  }

  drop(pool: OriginPool): void {
    if (this.#origins.get(pool.key) === pool && pool.waiting.length === 0) {
      this.#origins.delete(pool.key)
      pool.dropped = true
    }
  }

  releaseLater(connection: Connection): void {
    this.#released.push(connection)
    if (this.#releaseScheduled) return
    this.#releaseScheduled = true
    setImmediate(this.#reuseReleased)
  }

  #reuseAll(): void {
    this.#releaseScheduled = false
    const released = this.#released
    this.#released = []
    for (const connection of released) connection.origin.reuse(connection)
  }

  /** Starts the idle sweep (an unref'd interval) while any connection is idle. */
  watchIdle(): void {
    if (this.#sweeper) return
    const every = Math.max(10, Math.min(1_000, Math.floor(this.options.idleSocketMs / 2)))
    this.#sweeper = setInterval(() => {
      const now = Date.now()
      let idle = 0
      for (const pool of this.#origins.values()) {
        pool.sweep(now)
        idle += pool.idle.length
      }
      if (idle === 0 && this.#sweeper) {
        clearInterval(this.#sweeper)
        this.#sweeper = null
      }
    }, every)
    this.#sweeper.unref()
  }

  /** Closes every idle connection and refuses waiters; busy ones close when their exchange ends. */
  close(onWaiter: (waiter: Waiter) => void): void {
    this.closed = true
    if (this.#sweeper) clearInterval(this.#sweeper)
    this.#sweeper = null
    for (const pool of [...this.#origins.values()]) {
      for (const waiter of pool.waiting.splice(0)) if (!waiter.cancelled) onWaiter(waiter)
      for (const connection of [...pool.idle]) connection.socket.destroy()
    }
  }
}
