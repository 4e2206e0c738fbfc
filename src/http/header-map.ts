/**
 * @module
 * The few header operations the invocation rules need (src/invoke/headers.ts, src/contract/hop-by-hop.ts),
 * so the rules are written once for every transport: Web `Headers` has them, {@link ListHeaders}
 * gives them to the flat header lists of Node's native transport and {@link RecordHeaders} to plain
 * header objects (Node's async door), without building a `Headers`.
 */
export interface HeaderReader {
  /** The value, repeated fields joined with `, `; null when absent. Names are lower-case. */
  get(name: string): string | null
  has(name: string): boolean
}

export interface HeaderMap extends HeaderReader {
  set(name: string, value: string): void
  delete(name: string): void
  forEach(callback: (value: string, name: string) => void): void
}

/**
 * HeaderMap over a flat `[name, value, name, value…]` list of lower-case names (what node:http's
 * `writeHead` takes), edited in place. A repeated name (`set-cookie`) keeps its entries; `set` replaces
 * them all. Linear, for the handful of headers of one answer.
 */
export class ListHeaders implements HeaderMap {
  readonly list: string[]
  constructor(list: string[]) {
    this.list = list
  }
  get(name: string): string | null {
    let found: string | null = null
    for (let i = 0; i < this.list.length; i += 2) {
      if (this.list[i] === name) found = found === null ? this.list[i + 1]! : `${found}, ${this.list[i + 1]}`
    }
    return found
  }
  has(name: string): boolean {
    for (let i = 0; i < this.list.length; i += 2) if (this.list[i] === name) return true
    return false
  }
  set(name: string, value: string): void {
    this.delete(name)
    this.list.push(name, value)
  }
  delete(name: string): void {
    for (let i = this.list.length - 2; i >= 0; i -= 2) if (this.list[i] === name) this.list.splice(i, 2)
  }
  forEach(callback: (value: string, name: string) => void): void {
    const seen = new Set<string>()
    for (let i = 0; i < this.list.length; i += 2) {
      const name = this.list[i]!
      if (seen.has(name)) continue
      seen.add(name)
      callback(this.get(name)!, name)
    }
  }
}

/** A header object keyed by lower-case name, a repeated field as an array (Node's `IncomingHttpHeaders`). */
export type HeaderRecord = Record<string, string | string[] | undefined>

/** HeaderMap over a plain object keyed by lower-case name; edits change that object. */
export class RecordHeaders implements HeaderMap {
  readonly record: HeaderRecord
  constructor(record: HeaderRecord) {
    this.record = record
  }
  get(name: string): string | null {
    const value = this.record[name]
    if (value === undefined) return null
    return typeof value === 'string' ? value : value.join(', ')
  }
  has(name: string): boolean {
    return this.record[name] !== undefined
  }
  set(name: string, value: string): void {
    this.record[name] = value
  }
  delete(name: string): void {
    if (this.record[name] !== undefined) delete this.record[name]
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.record)) {
      const value = this.get(name)
      if (value !== null) callback(value, name)
    }
  }
}
