/**
 * @module
 * What the dashboard needs beside the API's deps, built once by createGateway: its static files and the
 * per-function time series (null where the runtime has no metrics registry to listen to).
 */
import type { GatewayMetrics } from '../metrics/types.ts'
import { createUiAssets, type UiAssets, type UiVendorFiles } from './assets.ts'
import { createFunctionStats, type FunctionStats } from './stats/function-stats.ts'
import { statsRecordingMetrics } from './stats/recording.ts'

export interface UiServices {
  assets: UiAssets
  stats: FunctionStats | null
}

export function createUiServices(
  vendor: UiVendorFiles | undefined,
  metrics: GatewayMetrics | null,
): { ui: UiServices; metrics: GatewayMetrics | null } {
  const assets = createUiAssets(vendor)
  if (!metrics) return { ui: { assets, stats: null }, metrics }
  const stats = createFunctionStats()
  return { ui: { assets, stats }, metrics: statsRecordingMetrics(metrics, stats) }
}
