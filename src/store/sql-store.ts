/**
 * @module
 * The Store over any dialect: every concern's SQL implementation, composed. A new concern adds one line
 * here and one `extends` in types.ts.
 */

import { acmeStore } from './acme/sql.ts'
import { apiTokenStore } from './api-tokens/sql.ts'
import { auditStore } from './audit/sql.ts'
import { autoscaleStore } from './autoscale/sql.ts'
import { backendStore } from './backends/sql.ts'
import { callStore } from './calls/sql.ts'
import { certificateStore } from './certificates/sql.ts'
import { deadLetterStore } from './dead-letters/sql.ts'
import { deploymentStore } from './deployments/sql.ts'
import type { Dialect } from './dialect/types.ts'
import { domainStore } from './domains/sql.ts'
import { functionStore } from './functions/sql.ts'
import { leaseStore } from './leases/sql.ts'
import { loopStateStore } from './loop-state/sql.ts'
import { namespaceStore } from './namespaces/sql.ts'
import { payloadStore } from './payloads/sql.ts'
import { queueLedgerStore } from './queue-ledger/sql.ts'
import { queueMessageStore } from './queue-messages/sql.ts'
import { rateLimitStore } from './rate-limits/sql.ts'
import { secretStore } from './secrets/sql.ts'
import type { Store } from './types.ts'
import { versionStore } from './versions/sql.ts'

/** The Store over `dialect`; closing it closes the dialect's connection. */
export function createStore(dialect: Dialect): Store {
  return {
    ...namespaceStore(dialect),
    ...functionStore(dialect),
    ...secretStore(dialect),
    ...backendStore(dialect),
    ...deploymentStore(dialect),
    ...leaseStore(dialect),
    ...queueMessageStore(dialect),
    ...callStore(dialect),
    ...deadLetterStore(dialect),
    ...payloadStore(dialect),
    ...autoscaleStore(dialect),
    ...apiTokenStore(dialect),
    ...auditStore(dialect),
    ...rateLimitStore(dialect),
    ...domainStore(dialect),
    ...certificateStore(dialect),
    ...acmeStore(dialect),
    ...queueLedgerStore(dialect),
    ...versionStore(dialect),
    ...loopStateStore(dialect),
    ping: () => dialect.ping(),
    close: () => dialect.close(),
  }
}

/** Instances get createStore's methods as own properties; the class only lets callers say `new`. */
class ComposedStore {
  constructor(dialect: Dialect) {
    Object.assign(this, createStore(dialect))
  }
}

/**
 * `createStore` as a class, the base of SqliteStore and PgStore. The cast states what Object.assign does
 * and TypeScript cannot follow: every instance carries all of Store's methods.
 */
export const SqlStore = ComposedStore as new (dialect: Dialect) => Store
