/**
 * @module
 * OpenFaaS namespaces, with their labels and annotations.
 */

export interface NamespaceRecord {
  name: string
  labels: Record<string, string>
  annotations: Record<string, string>
  createdAt: Date
}

export interface NamespaceStore {
  listNamespaces(): Promise<NamespaceRecord[]>
  getNamespace(name: string): Promise<NamespaceRecord | null>
  /** Returns false when the namespace already exists. */
  createNamespace(ns: Omit<NamespaceRecord, 'createdAt'>): Promise<boolean>
  /** Returns false when the namespace does not exist. */
  updateNamespace(ns: Omit<NamespaceRecord, 'createdAt'>): Promise<boolean>
  /** Returns false when the namespace does not exist. */
  deleteNamespace(name: string): Promise<boolean>
}
