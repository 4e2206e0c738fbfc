/**
 * @module
 * The FunctionStore over SQL, for every dialect.
 */
import { and, asc, count, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { FunctionRecord, FunctionStore } from './types.ts'

/** Explicit, not a spread, so the storage-only `deletedAt` never leaks into a record. */
function toFunction(r: Row<'functions'>): FunctionRecord {
  return {
    namespace: r.namespace,
    name: r.name,
    spec: r.spec,
    replicas: r.replicas,
    placement: r.placement,
    generation: r.generation,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** The FunctionStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function functionStore({ db, tables: { functions } }: Dialect): FunctionStore {
  const live = (namespace: string, name: string): SQL | undefined =>
    and(eq(functions.namespace, namespace), eq(functions.name, name), isNull(functions.deletedAt))

  return {
    async listFunctions(namespace) {
      const where =
        namespace === undefined
          ? isNull(functions.deletedAt)
          : and(eq(functions.namespace, namespace), isNull(functions.deletedAt))
      const rows = await db
        .select()
        .from(functions)
        .where(where)
        .orderBy(asc(functions.namespace), asc(functions.name))
      return rows.map(toFunction)
    },

    async countFunctions(namespace) {
      const [row] = await db
        .select({ n: count() })
        .from(functions)
        .where(and(eq(functions.namespace, namespace), isNull(functions.deletedAt)))
      return row?.n ?? 0
    },

    async getFunction(namespace, name) {
      const [row] = await db.select().from(functions).where(live(namespace, name))
      return row ? toFunction(row) : null
    },

    async createFunction(fn) {
      const now = new Date()
      // One statement for both cases: a fresh insert, or the revival of a tombstone, which keeps counting
      // generations so a reconciler still holding the tombstone's generation cannot purge the new function.
      const rows = await db
        .insert(functions)
        .values({
          namespace: fn.namespace,
          name: fn.name,
          spec: fn.spec,
          replicas: fn.replicas,
          placement: fn.placement,
          generation: 1,
          deletedAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [functions.namespace, functions.name],
          set: {
            spec: sql`excluded.spec`,
            replicas: sql`excluded.replicas`,
            placement: sql`excluded.placement`,
            generation: sql`${functions.generation} + 1`,
            deletedAt: null,
            createdAt: sql`excluded.created_at`,
            updatedAt: sql`excluded.updated_at`,
          },
          setWhere: isNotNull(functions.deletedAt),
        })
        .returning()
      const [row] = rows
      return row ? toFunction(row) : null
    },

    async updateFunction(fn) {
      const [row] = await db
        .update(functions)
        .set({
          spec: fn.spec,
          placement: fn.placement,
          ...(fn.replicas === undefined ? {} : { replicas: fn.replicas }),
          generation: sql`${functions.generation} + 1`,
          updatedAt: new Date(),
        })
        .where(live(fn.namespace, fn.name))
        .returning()
      return row ? toFunction(row) : null
    },

    async setReplicas(namespace, name, replicas) {
      const [row] = await db
        .update(functions)
        .set({ replicas, generation: sql`${functions.generation} + 1`, updatedAt: new Date() })
        .where(live(namespace, name))
        .returning()
      return row ? toFunction(row) : null
    },

    async setPlacement(namespace, name, placement, generation) {
      const rows = await db
        .update(functions)
        .set({ placement, updatedAt: new Date() })
        .where(and(live(namespace, name), eq(functions.generation, generation)))
        .returning({ name: functions.name })
      return rows.length > 0
    },

    async markFunctionDeleted(namespace, name) {
      const now = new Date()
      const rows = await db
        .update(functions)
        .set({ deletedAt: now, generation: sql`${functions.generation} + 1`, updatedAt: now })
        .where(live(namespace, name))
        .returning({ name: functions.name })
      return rows.length > 0
    },

    async listDeletedFunctions() {
      return await db
        .select({ namespace: functions.namespace, name: functions.name, generation: functions.generation })
        .from(functions)
        .where(isNotNull(functions.deletedAt))
        .orderBy(asc(functions.namespace), asc(functions.name))
    },

    async purgeFunction(namespace, name, generation) {
      await db
        .delete(functions)
        .where(
          and(
            eq(functions.namespace, namespace),
            eq(functions.name, name),
            isNotNull(functions.deletedAt),
            eq(functions.generation, generation),
          ),
        )
    },
  }
}
