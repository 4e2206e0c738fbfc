/**
 * @module
 * The one invocation path of a gateway, shared by `/function/*` and the async worker so both get the
 * same header rules, backend choice and failover, metrics and scale from zero (and one scale-up per
 * burst, whoever causes it).
 */
import type { GatewayDeps } from '../deps.ts'
import { createProxy, type Invoke } from './proxy.ts'
import { createScaleFromZero } from './scale-from-zero.ts'

const invokers = new WeakMap<GatewayDeps, Invoke>()

/** The gateway's invoker, built on first use and reused for the same deps. */
export function invokerFor(deps: GatewayDeps): Invoke {
  let invoke = invokers.get(deps)
  if (!invoke) {
    invoke = createProxy({
      routes: deps.routes,
      router: deps.router,
      scaleFromZero: createScaleFromZero({
        store: deps.store,
        providers: deps.providers,
        reconciler: deps.reconciler,
        routes: deps.routes,
        timeoutMs: deps.config.scaleFromZeroTimeoutMs,
      }),
      metrics: deps.metrics,
      logger: deps.logger,
      defaultNamespace: deps.config.defaultNamespace,
      upstreamTimeoutMs: deps.config.upstreamTimeoutMs,
      resendBodyLimit: deps.config.failoverBodyBytes,
      servedBy: `edgefaas/${deps.version.release}`,
      gate: deps.access.gate,
    })
    invokers.set(deps, invoke)
  }
  return invoke
}
