/**
 * @module
 * Backends: the named provider instances functions are placed on.
 */

export interface BackendRecord {
  name: string
  /** Provider kind: `local`, `faas-provider`, `lambda`, `ecs`. */
  kind: string
  /** Kind-specific settings; validated by the provider, opaque here. */
  config: Record<string, unknown>
  createdAt: Date
}

export interface BackendStore {
  listBackends(): Promise<BackendRecord[]>
  getBackend(name: string): Promise<BackendRecord | null>
  upsertBackend(backend: Omit<BackendRecord, 'createdAt'>): Promise<void>
  deleteBackend(name: string): Promise<boolean>
}
