/**
 * @module
 * The Store: desired state (functions, namespaces, secrets, backends) and observed state (deployments),
 * plus what asynchronous calls need (the embedded queue, call status, dead letters, payloads) and leases
 * for singleton loops, in SQL. One interface per concern, in `src/store/<concern>/types.ts`, composed
 * here; callers use `Store`. Each concern is implemented once (`<concern>/sql.ts`) over a thin per-dialect
 * layer (dialect/), and all are checked on every dialect by test/conformance/store.suite.ts.
 *
 * Every method is a single statement or a short sequence that stays correct without an interactive
 * transaction, because D1 has none. Concurrent writers are handled with conditional updates.
 */

import type { AcmeStore } from './acme/types.ts'
import type { ApiTokenStore } from './api-tokens/types.ts'
import type { AuditStore } from './audit/types.ts'
import type { AutoscaleStore } from './autoscale/types.ts'
import type { BackendStore } from './backends/types.ts'
import type { CallStore } from './calls/types.ts'
import type { CertificateStore } from './certificates/types.ts'
import type { DeadLetterStore } from './dead-letters/types.ts'
import type { DeploymentStore } from './deployments/types.ts'
import type { DomainStore } from './domains/types.ts'
import type { FunctionStore } from './functions/types.ts'
import type { LeaseStore } from './leases/types.ts'
import type { LoopStateStore } from './loop-state/types.ts'
import type { NamespaceStore } from './namespaces/types.ts'
import type { PayloadStore } from './payloads/types.ts'
import type { QueueLedgerStore } from './queue-ledger/types.ts'
import type { QueueMessageStore } from './queue-messages/types.ts'
import type { RateLimitStore } from './rate-limits/types.ts'
import type { SecretStore } from './secrets/types.ts'
import type { VersionStore } from './versions/types.ts'

export type { AcmeAccountRecord, AcmeChallengeRecord, AcmeStore } from './acme/types.ts'
export type { ApiTokenRecord, ApiTokenStore } from './api-tokens/types.ts'
export type { AuditEntry, AuditPage, AuditQuery, AuditStore } from './audit/types.ts'
export type {
  AutoscaleStore,
  LoadSample,
  ScalingDecisionRecord,
  ScalingInputs,
  ScalingState,
} from './autoscale/types.ts'
export type { BackendRecord, BackendStore, BackendWrite } from './backends/types.ts'
export type {
  CallClaim,
  CallPage,
  CallQuery,
  CallStateRecord,
  CallStatus,
  CallStore,
  CallUpdate,
  NewCall,
} from './calls/types.ts'
export type {
  CertificateRecord,
  CertificateSource,
  CertificateStore,
  CertificateSummary,
  NewCertificate,
} from './certificates/types.ts'
export type {
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterRecord,
  DeadLetterStore,
  NewDeadLetter,
} from './dead-letters/types.ts'
export type {
  DeploymentRecord,
  DeploymentStatus,
  DeploymentStore,
  DeploymentUpdate,
} from './deployments/types.ts'
export type {
  DomainChange,
  DomainRecord,
  DomainSource,
  DomainStore,
  DomainTls,
  NewDomain,
} from './domains/types.ts'
export type {
  FunctionRecord,
  FunctionSpec,
  FunctionStore,
  FunctionUpdate,
  NewFunction,
} from './functions/types.ts'
export type { LeaseStore } from './leases/types.ts'
export type { LoopStateRecord, LoopStateStore } from './loop-state/types.ts'
export type { NamespaceRecord, NamespaceStore } from './namespaces/types.ts'
export type { PayloadStore } from './payloads/types.ts'
export type { QueueLedgerStore } from './queue-ledger/types.ts'
export type { LeasedQueueMessage, QueueMessageStore } from './queue-messages/types.ts'
export type { RateLimitStep, RateLimitStore, RateLimitVerdict } from './rate-limits/types.ts'
export type { SecretRecord, SecretStore } from './secrets/types.ts'
export type { VersionStore } from './versions/types.ts'

export interface Store
  extends NamespaceStore,
    FunctionStore,
    SecretStore,
    BackendStore,
    DeploymentStore,
    LeaseStore,
    QueueMessageStore,
    CallStore,
    DeadLetterStore,
    PayloadStore,
    AutoscaleStore,
    QueueLedgerStore,
    VersionStore,
    LoopStateStore,
    ApiTokenStore,
    AuditStore,
    RateLimitStore,
    DomainStore,
    CertificateStore,
    AcmeStore {
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}
