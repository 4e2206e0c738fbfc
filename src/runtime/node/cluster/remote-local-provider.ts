/**
 * @module
 * The local provider as a worker process sees it. Function processes are children of the primary and
 * stay there (one owner, one set of ports, one drain per replica), so a worker asks the primary for
 * everything: `target()` is one IPC round trip that picks a replica and counts the call in on the
 * primary (a retiring replica waits for it exactly as for its own calls); `done()` counts it out with a
 * one-way message. State changes (`apply`, `scale`, `remove`) are forwarded too, though a worker never
 * reconciles: the API and the loops run in the primary.
 */

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

export function createRemoteLocalProvider(channel: Channel): Provider {
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
  const target = async (
    namespace: string,
    name: string,
    path: string,
    request: { method: string; hasBody: boolean },
  ): Promise<InvocationTarget> => {
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
    apply: (desired: DesiredFunction) => channel.call<ObservedFunction>('local.apply', serialisable(desired)),
    remove: (namespace, name) => channel.call<void>('local.remove', namespace, name),
    scale: (namespace, name, replicas) => channel.call<void>('local.scale', namespace, name, replicas),
    status: (namespace, name) => channel.call<ObservedFunction | null>('local.status', namespace, name),
    instances: (namespace, name) => channel.call<InstanceInfo[]>('local.instances', namespace, name),
    target: (namespace, name, path, request) => target(namespace, name, path, request),
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
