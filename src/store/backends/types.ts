/**
 * @module
 * Backends: the named provider instances functions are placed on.
 */

export interface BackendRecord {
  name: string
  /** Provider kind: `local` (the built-in on Node), `openfaas`. */
  kind: string
  /** Kind-specific settings (for `openfaas`: the URL and provider options); never a credential. */
  config: Record<string, unknown>
  /** Labels that placement selectors (`edgefaas.dev/backends: "selector:region=eu"`) match. */
  labels: Record<string, string>
  /** The backend of functions that name none; at most one backend carries it. */
  isDefault: boolean
  /** The credentials as the secrets cipher sealed them (src/backends/credentials.ts); null for none. */
  credentials: string | null
  createdAt: Date
  updatedAt: Date
}

/** What a write gives; the store sets the times. */
export type BackendWrite = Omit<
  BackendRecord,
  'createdAt' | 'updatedAt' | 'labels' | 'isDefault' | 'credentials'
> &
  Partial<Pick<BackendRecord, 'labels' | 'isDefault' | 'credentials'>>

export interface BackendStore {
  listBackends(): Promise<BackendRecord[]>
  getBackend(name: string): Promise<BackendRecord | null>
  /** Creates or replaces the backend; omitted labels, default flag and credentials become empty. */
  upsertBackend(backend: BackendWrite): Promise<void>
  /** Creates the backend; false when one of that name exists. */
  createBackend(backend: BackendWrite): Promise<boolean>
  /** Replaces an existing backend (keeping its creation time); false when there is none of that name. */
  replaceBackend(backend: BackendWrite): Promise<boolean>
  /** Takes the default flag from every backend but `keep`, so at most one carries it. */
  clearDefaultBackends(keep: string): Promise<void>
  deleteBackend(name: string): Promise<boolean>
}
