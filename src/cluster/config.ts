/**
 * @module
 * Settings for running several gateways as one installation (docs/scaling.md): which roles this
 * instance plays, its name in leases, how long a shutdown stays visible as "draining" before listeners
 * close, and the replica count of the NATS streams. The variables are validated with the rest in
 * src/config.ts.
 *
 * Roles: `api` serves the HTTP listeners (the API, invocations, async submissions); `worker` runs the
 * async worker. Background loops run on every instance; the ones that must run once (reconciling shared
 * backends, the autoscaler, cron triggers, ACME orders) are taken by whichever instance holds their
 * lease, and pass to another when it stops renewing.
 */
import { z } from 'zod'

export type Role = 'api' | 'worker'
const ROLES: readonly Role[] = ['api', 'worker']

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

const roles = z.string().transform((text, ctx) => {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  const unknown = names.filter((n) => !(ROLES as readonly string[]).includes(n))
  if (names.length === 0 || unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a comma-separated list of ${ROLES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.slice(0, 3).join(', ')})` : ''}`,
    })
    return z.NEVER
  }
  return new Set(names as Role[])
})

/** The variables, spread into the config schema. */
export const CLUSTER_ENV = {
  EDGEFAAS_ROLES: roles.optional(),
  EDGEFAAS_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
      message: 'must be 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit',
    })
    .optional(),
  EDGEFAAS_DRAIN_DELAY_MS: int(0, 600_000).default(0),
  EDGEFAAS_QUEUE_NATS_REPLICAS: int(1, 5).default(1),
}

export interface ClusterConfig {
  /** The roles this instance plays (`edgefaas worker` drops `api`). */
  roles: ReadonlySet<Role>
  /** This instance's name in leases and logs; the runtime picks one when unset. */
  instanceId: string | undefined
  /** After SIGTERM, `/readyz` answers 503 `draining` this long before the listeners stop taking work. */
  drainDelayMs: number
  /** Replicas of the JetStream streams the NATS queue creates (3 on a 3-node cluster). */
  natsReplicas: number
}

type ClusterEnv = {
  EDGEFAAS_ROLES?: Set<Role> | undefined
  EDGEFAAS_INSTANCE_ID?: string | undefined
  EDGEFAAS_DRAIN_DELAY_MS: number
  EDGEFAAS_QUEUE_NATS_REPLICAS: number
}

export function clusterConfig(e: ClusterEnv): ClusterConfig {
  return {
    roles: e.EDGEFAAS_ROLES ?? new Set(ROLES),
    instanceId: e.EDGEFAAS_INSTANCE_ID,
    drainDelayMs: e.EDGEFAAS_DRAIN_DELAY_MS,
    natsReplicas: e.EDGEFAAS_QUEUE_NATS_REPLICAS,
  }
}
