/**
 * @module
 * The local provider as a worker process sees it. Function processes are children of the primary and
 * stay there (one owner, one set of ports, one drain per replica). `target()` picks a replica from the
 * table the primary pushes to this process (worker-replicas.ts, no IPC per call); before the first
 * table arrives, or when it lists no ready replica, it asks the primary: one IPC round trip that picks
 * a replica and counts the call in there, `done()` counting it out with a one-way message. Either way a
 * retiring replica waits for this process's calls as for the primary's own. State changes (`apply`, `scale`, `remove`) are forwarded too, though a worker never
 * reconciles: the API and the loops run in the primary.
 */

import { localSpecProblem, REPLICA_DROPPED_HEADERS } from '../../../../providers/local/index.ts'
import {
  type DesiredFunction,
  type InstanceInfo,
  type InvocationRequest,
  type InvocationTarget,
  type ObservedFunction,
  type Provider,
  type ProviderCapabilities,
  ProviderError,
} from '../../../../providers/types.ts'
import type { LogMessage, LogRequest, ProviderInfo } from '../../../contract/types.ts'
import type { Channel } from './channel.ts'
import type { WorkerReplicas } from './worker-replicas.ts'

/** What the primary answers to `local.target`: where to send the call, and the lease to give back. */
export interface RemoteTarget {
  origin: string
  path: string
  drop: string[]
  lease: number
}

export const LOCAL_CAPABILITIES: ProviderCapabilities = {
  scale: true,
  scaleToZero: true,
  logs: true,
  secrets: true,
  namespaces: true,
}

/**
 * The local provider as a worker process sees it. With `replicas`, calls go to replicas this process
 * picks from the tables the primary pushes; without (or before a table arrives), the primary picks.
 */
export function createRemoteLocalProvider(channel: Channel, replicas?: WorkerReplicas): Provider {
  // The drop list is the same few names for every call: one Set per distinct list, not per call.
  const dropSets = new Map<string, ReadonlySet<string>>()
  const dropSet = (names: string[]) => {
    const key = names.join(',')
    let set = dropSets.get(key)
    if (!set) {
      set = new Set(names)
      dropSets.set(key, set)
    }
    return set
  }
  /** The usual case: this process's copy of the replica table, no IPC (worker-replicas.ts); else undefined. */
  const fromTable = (namespace: string, name: string, path: string): InvocationTarget | undefined => {
    const picked = replicas?.pick(namespace, name)
    if (!picked) return undefined
    return {
      origin: picked.origin,
      path: path.startsWith('/') ? path : `/${path}`,
      dropResponseHeaders: REPLICA_DROPPED_HEADERS,
      done: picked.done,
    }
  }
  const target = async (
    namespace: string,
    name: string,
    path: string,
    request: { method: string; hasBody: boolean },
  ): Promise<InvocationTarget> => {
    const picked = fromTable(namespace, name, path)
    if (picked) return picked
    // No table yet, or no ready replica in it: the primary picks (and answers NOT_READY at zero).
    const remote = await channel.call<RemoteTarget>('local.target', namespace, name, path, {
      method: request.method,
      hasBody: request.hasBody,
    })
    let released = false
    return {
      origin: remote.origin,
      path: remote.path,
      dropResponseHeaders: dropSet(remote.drop),
      done() {
        if (released) return
        released = true
        channel.send({ kind: 'release', lease: remote.lease })
      },
    }
  }
  return {
    kind: 'local',
    scope: 'instance',
    capabilities: LOCAL_CAPABILITIES,
    info: () => channel.call<ProviderInfo>('local.info'),
    // The same pure rule as the primary's provider: no round trip to judge a spec.
    checkSpec: localSpecProblem,
    apply: (desired: DesiredFunction) => channel.call<ObservedFunction>('local.apply', serialisable(desired)),
    remove: (namespace, name) => channel.call<void>('local.remove', namespace, name),
    scale: (namespace, name, replicas) => channel.call<void>('local.scale', namespace, name, replicas),
    status: (namespace, name) => channel.call<ObservedFunction | null>('local.status', namespace, name),
    instances: (namespace, name) => channel.call<InstanceInfo[]>('local.instances', namespace, name),
    target: (namespace, name, path, request) => target(namespace, name, path, request),
    // From the table without a Promise, as the primary's local provider answers (the native transport's
    // hot path); undefined sends the call through `target`, to the primary.
    targetNow: (namespace, name, path) => fromTable(namespace, name, path),
    // The Web transport in a worker (EDGEFAAS_NATIVE_INVOKE=false): the same target, sent with fetch.
    async invoke(namespace: string, name: string, path: string, request: InvocationRequest) {
      const t = await target(namespace, name, path, {
        method: request.method,
        hasBody: request.body !== null,
      })
      try {
        const headers = new Headers(request.headers)
        headers.delete('host')
        const response = await fetch(`${t.origin}${t.path}`, {
          method: request.method,
          headers,
          body: request.body,
          signal: request.signal,
          redirect: 'manual',
          ...(request.body ? { duplex: 'half' } : {}),
        } as RequestInit)
        const out = new Headers(response.headers)
        for (const drop of t.dropResponseHeaders) out.delete(drop)
        const body = response.body
        if (!body) {
          t.done?.()
          return new Response(null, { status: response.status, headers: out })
        }
        const counted = body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({ flush: () => t.done?.() }),
        )
        return new Response(counted, { status: response.status, headers: out })
      } catch (error) {
        t.done?.()
        if (request.signal.aborted || ProviderError.is(error)) throw error
        throw new ProviderError(
          'UNAVAILABLE',
          `cannot reach ${name}.${namespace}: ${(error as Error).message}`,
          {
            cause: error,
          },
        )
      }
    },
    // Logs are an API call (/system/logs), which the primary serves itself.
    logs(_request: LogRequest, _signal: AbortSignal): AsyncIterable<LogMessage> {
      throw new ProviderError('UNSUPPORTED', 'function logs are served by the primary gateway process')
    },
    async close() {},
  }
}

/** Secrets are bytes: sent as arrays of numbers over the JSON pipe, rebuilt by the primary. */
function serialisable(desired: DesiredFunction): unknown {
  return {
    ...desired,
    secrets: Object.fromEntries(Object.entries(desired.secrets).map(([k, v]) => [k, Array.from(v)])),
  }
}

export function desiredFromWire(wire: unknown): DesiredFunction {
  const desired = wire as DesiredFunction & { secrets: Record<string, number[]> }
  return {
    ...desired,
    secrets: Object.fromEntries(Object.entries(desired.secrets).map(([k, v]) => [k, Uint8Array.from(v)])),
  }
}
