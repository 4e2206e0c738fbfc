/**
 * @module
 * The Store over PostgreSQL (any drizzle pg driver; Node uses postgres-js). Same statements as sqlite.ts,
 * one per method and no interactive transactions, so both dialects keep the same semantics under
 * concurrency: row locks taken by `UPDATE … RETURNING` and `ON CONFLICT` serialize competing writers.
 */
import { and, asc, count, eq, isNotNull, isNull, lte, or, type SQL, sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import {
  givenDeploymentFields,
  newDeploymentRow,
  toBackend,
  toDeployment,
  toFunction,
  toNamespace,
  toSecret,
} from './rows.ts'
import { backends, deployments, functions, leases, namespaces, secrets } from './schema.pg.ts'
import type {
  BackendRecord,
  DeploymentRecord,
  DeploymentUpdate,
  FunctionRecord,
  FunctionUpdate,
  NamespaceRecord,
  NewFunction,
  SecretRecord,
  Store,
} from './types.ts'

/** Any drizzle PostgreSQL database; the query-result type differs per driver and is unused. */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT>

export interface PgStoreOptions {
  /** Releases the connection pool; the default leaves it to whoever created the client. */
  close?: () => void | Promise<void>
}

const live = (namespace: string, name: string): SQL | undefined =>
  and(eq(functions.namespace, namespace), eq(functions.name, name), isNull(functions.deletedAt))

export class PgStore implements Store {
  readonly #db: AnyPgDatabase
  readonly #close: () => void | Promise<void>

  constructor(db: AnyPgDatabase, options: PgStoreOptions = {}) {
    this.#db = db
    this.#close = options.close ?? (() => {})
  }

  // namespaces

  async listNamespaces(): Promise<NamespaceRecord[]> {
    const rows = await this.#db.select().from(namespaces).orderBy(asc(namespaces.name))
    return rows.map(toNamespace)
  }

  async getNamespace(name: string): Promise<NamespaceRecord | null> {
    const [row] = await this.#db.select().from(namespaces).where(eq(namespaces.name, name))
    return row ? toNamespace(row) : null
  }

  async createNamespace(ns: Omit<NamespaceRecord, 'createdAt'>): Promise<boolean> {
    const rows = await this.#db
      .insert(namespaces)
      .values({ name: ns.name, labels: ns.labels, annotations: ns.annotations, createdAt: new Date() })
      .onConflictDoNothing()
      .returning({ name: namespaces.name })
    return rows.length > 0
  }

  async updateNamespace(ns: Omit<NamespaceRecord, 'createdAt'>): Promise<boolean> {
    const rows = await this.#db
      .update(namespaces)
      .set({ labels: ns.labels, annotations: ns.annotations })
      .where(eq(namespaces.name, ns.name))
      .returning({ name: namespaces.name })
    return rows.length > 0
  }

  async deleteNamespace(name: string): Promise<boolean> {
    const rows = await this.#db
      .delete(namespaces)
      .where(eq(namespaces.name, name))
      .returning({ name: namespaces.name })
    return rows.length > 0
  }

  // functions

  async listFunctions(namespace?: string): Promise<FunctionRecord[]> {
    const where =
      namespace === undefined
        ? isNull(functions.deletedAt)
        : and(eq(functions.namespace, namespace), isNull(functions.deletedAt))
    const rows = await this.#db
      .select()
      .from(functions)
      .where(where)
      .orderBy(asc(functions.namespace), asc(functions.name))
    return rows.map(toFunction)
  }

  async countFunctions(namespace: string): Promise<number> {
    const [row] = await this.#db
      .select({ n: count() })
      .from(functions)
      .where(and(eq(functions.namespace, namespace), isNull(functions.deletedAt)))
    return row?.n ?? 0
  }

  async getFunction(namespace: string, name: string): Promise<FunctionRecord | null> {
    const [row] = await this.#db.select().from(functions).where(live(namespace, name))
    return row ? toFunction(row) : null
  }

  async createFunction(fn: NewFunction): Promise<FunctionRecord | null> {
    const now = new Date()
    // One statement for both cases: a fresh insert, or the revival of a tombstone, which keeps counting
    // generations so a reconciler still holding the tombstone's generation cannot purge the new function.
    const rows = await this.#db
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
  }

  async updateFunction(fn: FunctionUpdate): Promise<FunctionRecord | null> {
    const [row] = await this.#db
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
  }

  async setReplicas(namespace: string, name: string, replicas: number): Promise<FunctionRecord | null> {
    const [row] = await this.#db
      .update(functions)
      .set({ replicas, generation: sql`${functions.generation} + 1`, updatedAt: new Date() })
      .where(live(namespace, name))
      .returning()
    return row ? toFunction(row) : null
  }

  async markFunctionDeleted(namespace: string, name: string): Promise<boolean> {
    const now = new Date()
    const rows = await this.#db
      .update(functions)
      .set({ deletedAt: now, generation: sql`${functions.generation} + 1`, updatedAt: now })
      .where(live(namespace, name))
      .returning({ name: functions.name })
    return rows.length > 0
  }

  async listDeletedFunctions(): Promise<Array<{ namespace: string; name: string; generation: number }>> {
    return await this.#db
      .select({ namespace: functions.namespace, name: functions.name, generation: functions.generation })
      .from(functions)
      .where(isNotNull(functions.deletedAt))
      .orderBy(asc(functions.namespace), asc(functions.name))
  }

  async purgeFunction(namespace: string, name: string, generation: number): Promise<void> {
    await this.#db
      .delete(functions)
      .where(
        and(
          eq(functions.namespace, namespace),
          eq(functions.name, name),
          isNotNull(functions.deletedAt),
          eq(functions.generation, generation),
        ),
      )
  }

  // secrets

  async listSecrets(namespace: string): Promise<SecretRecord[]> {
    const rows = await this.#db
      .select()
      .from(secrets)
      .where(eq(secrets.namespace, namespace))
      .orderBy(asc(secrets.name))
    return rows.map(toSecret)
  }

  async getSecret(namespace: string, name: string): Promise<SecretRecord | null> {
    const [row] = await this.#db
      .select()
      .from(secrets)
      .where(and(eq(secrets.namespace, namespace), eq(secrets.name, name)))
    return row ? toSecret(row) : null
  }

  async createSecret(namespace: string, name: string, ciphertext: string): Promise<boolean> {
    const now = new Date()
    const rows = await this.#db
      .insert(secrets)
      .values({ namespace, name, ciphertext, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning({ name: secrets.name })
    return rows.length > 0
  }

  async updateSecret(namespace: string, name: string, ciphertext: string): Promise<boolean> {
    const rows = await this.#db
      .update(secrets)
      .set({ ciphertext, updatedAt: new Date() })
      .where(and(eq(secrets.namespace, namespace), eq(secrets.name, name)))
      .returning({ name: secrets.name })
    return rows.length > 0
  }

  async deleteSecret(namespace: string, name: string): Promise<boolean> {
    const rows = await this.#db
      .delete(secrets)
      .where(and(eq(secrets.namespace, namespace), eq(secrets.name, name)))
      .returning({ name: secrets.name })
    return rows.length > 0
  }

  // backends

  async listBackends(): Promise<BackendRecord[]> {
    const rows = await this.#db.select().from(backends).orderBy(asc(backends.name))
    return rows.map(toBackend)
  }

  async getBackend(name: string): Promise<BackendRecord | null> {
    const [row] = await this.#db.select().from(backends).where(eq(backends.name, name))
    return row ? toBackend(row) : null
  }

  async upsertBackend(backend: Omit<BackendRecord, 'createdAt'>): Promise<void> {
    await this.#db
      .insert(backends)
      .values({ name: backend.name, kind: backend.kind, config: backend.config, createdAt: new Date() })
      .onConflictDoUpdate({
        target: backends.name,
        set: { kind: sql`excluded.kind`, config: sql`excluded.config` },
      })
  }

  async deleteBackend(name: string): Promise<boolean> {
    const rows = await this.#db
      .delete(backends)
      .where(eq(backends.name, name))
      .returning({ name: backends.name })
    return rows.length > 0
  }

  // deployments

  async listDeployments(
    filter: { namespace?: string; functionName?: string; backend?: string } = {},
  ): Promise<DeploymentRecord[]> {
    const rows = await this.#db
      .select()
      .from(deployments)
      .where(
        and(
          filter.namespace === undefined ? undefined : eq(deployments.namespace, filter.namespace),
          filter.functionName === undefined ? undefined : eq(deployments.functionName, filter.functionName),
          filter.backend === undefined ? undefined : eq(deployments.backend, filter.backend),
        ),
      )
      .orderBy(asc(deployments.namespace), asc(deployments.functionName), asc(deployments.backend))
    return rows.map(toDeployment)
  }

  /** A new row takes the given fields over the `pending` defaults; an existing row changes only those. */
  async upsertDeployment(update: DeploymentUpdate): Promise<void> {
    const row = newDeploymentRow(update, new Date())
    await this.#db
      .insert(deployments)
      .values(row)
      .onConflictDoUpdate({
        target: [deployments.namespace, deployments.functionName, deployments.backend],
        set: { ...givenDeploymentFields(update), updatedAt: row.updatedAt },
      })
  }

  async deleteDeployment(namespace: string, functionName: string, backend: string): Promise<void> {
    await this.#db
      .delete(deployments)
      .where(
        and(
          eq(deployments.namespace, namespace),
          eq(deployments.functionName, functionName),
          eq(deployments.backend, backend),
        ),
      )
  }

  // leases

  async tryAcquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    // The conflict branch only fires for the same holder or an expired lease; otherwise nothing is
    // returned and the lease stays with its holder.
    const rows = await this.#db
      .insert(leases)
      .values({ name, holder, expiresAt: new Date(now.getTime() + ttlMs) })
      .onConflictDoUpdate({
        target: leases.name,
        set: { holder: sql`excluded.holder`, expiresAt: sql`excluded.expires_at` },
        setWhere: or(eq(leases.holder, holder), lte(leases.expiresAt, now)),
      })
      .returning({ holder: leases.holder })
    return rows[0]?.holder === holder
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder)))
  }

  async ping(): Promise<void> {
    await this.#db.execute(sql`select 1`)
  }

  async close(): Promise<void> {
    await this.#close()
  }
}
