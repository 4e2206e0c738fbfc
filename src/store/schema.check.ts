/**
 * @module
 * Compile-time guard that schema.sqlite.ts and schema.pg.ts describe the same tables with the same row
 * shapes, so the concerns, written once against the SQLite spelling of the tables (dialect/types.ts), and
 * the conformance suite hold for both dialects. Nothing here exists at run time: `tsc` fails on drift,
 * naming the table in the error.
 */
import type * as pg from './schema.pg.ts'
import type * as sqlite from './schema.sqlite.ts'

/** Exact type equality (mutual assignability would let `T | undefined` pass for `T`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Assert<T extends true> = T
/** Fails with the drifted table names in the message. */
type None<T extends never> = T

type Tables = keyof typeof sqlite & keyof typeof pg

/** The tables whose selected or inserted rows differ between the dialects; must stay `never`. */
type Drifted = {
  [K in Tables]: Equal<(typeof sqlite)[K]['$inferSelect'], (typeof pg)[K]['$inferSelect']> extends true
    ? Equal<(typeof sqlite)[K]['$inferInsert'], (typeof pg)[K]['$inferInsert']> extends true
      ? never
      : K
    : K
}[Tables]

export type SameTables = Assert<Equal<keyof typeof sqlite, keyof typeof pg>>
export type SameRows = None<Drifted>
