/**
 * @module
 * The one invocation path of a gateway, shared by `/function/*` and the async worker so both get the
 * same header rules, backend choice and failover, metrics and scale from zero (and one scale-up per
 * burst, whoever causes it).
 */
import type { GatewayDeps } from '../deps.ts'
import { createInvocation, type InvocationDeps, type RunInvocation } from './invocation.ts'
import { createProxy, type Invoke } from './proxy.ts'
import { createScaleFromZero, type ScaleFromZero } from './scale-from-zero.ts'

interface Invokers {
  /** The Web transport: `gateway.fetch`, the async worker. */
  invoke: Invoke
  /** The shared pipeline, for a runtime's native transport (Node). */
  run: RunInvocation
}

const invokers = new WeakMap<GatewayDeps, Invokers>()

/** The gateway's invoker, built on first use and reused for the same deps. */
export function invokerFor(deps: GatewayDeps): Invoke {
  return invokersFor(deps).invoke
}

/**
 * The shared invocation pipeline of the gateway, for a runtime's own transport: the same route cache,
 * admission, router, scale-from-zero single flight and metrics as {@link invokerFor}.
 */
export function invocationFor(deps: GatewayDeps): RunInvocation {
  return invokersFor(deps).run
}

/** A gateway's own scale from zero (one wait per function at a time, whoever calls). */
export function scaleFromZeroFor(deps: GatewayDeps): ScaleFromZero {
  return createScaleFromZero({
    store: deps.store,
    providers: deps.providers,
    reconciler: deps.reconciler,
    routes: deps.routes,
    timeoutMs: deps.config.scaleFromZeroTimeoutMs,
  })
}

function invokersFor(deps: GatewayDeps): Invokers {
  let entry = invokers.get(deps)
  if (!entry) {
    const pipeline: InvocationDeps = {
      routes: deps.routes,
      router: deps.router,
      scaleFromZero: deps.scaleFromZero ?? scaleFromZeroFor(deps),
      metrics: deps.metrics,
      logger: deps.logger,
      defaultNamespace: deps.config.defaultNamespace,
      upstreamTimeoutMs: deps.config.upstreamTimeoutMs,
      resendBodyLimit: deps.config.failoverBodyBytes,
      servedBy: `edgefaas/${deps.version.release}`,
      gate: deps.access.gate,
    }
    entry = { invoke: createProxy(pipeline), run: createInvocation(pipeline) }
    invokers.set(deps, entry)
  }
  return entry
}
