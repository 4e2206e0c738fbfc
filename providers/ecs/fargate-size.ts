/**
 * @module
 * A function's CPU and memory as a Fargate task size. Fargate takes only certain pairs (a CPU tier and a
 * memory range in steps); the smallest pair with at least the CPU and memory asked for is chosen, so a
 * function gets what it asked for or more, never less.
 */

import type { FunctionResources } from '../../src/contract/types.ts'
import { memoryMiB, milliCpu } from '../aws/quantity.ts'
import { ProviderError } from '../types.ts'

/** CPU units (1024 = 1 vCPU) with their memory range (MiB) and step, from the Fargate documentation. */
const TIERS: ReadonlyArray<{ cpu: number; min: number; max: number; step: number; fixed?: number[] }> = [
  { cpu: 256, min: 512, max: 2048, step: 512, fixed: [512, 1024, 2048] },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
]

export interface TaskSize {
  /** CPU units, as RegisterTaskDefinition takes them (a string). */
  cpu: string
  /** MiB. */
  memory: string
}

export function fargateSize(
  limits: FunctionResources | null | undefined,
  requests: FunctionResources | null | undefined,
  defaults: { cpu: number; memoryMiB: number },
  label: string,
): TaskSize {
  const cpuText = limits?.cpu ?? requests?.cpu
  const memoryText = limits?.memory ?? requests?.memory
  let cpu = defaults.cpu
  if (cpuText !== undefined) {
    const milli = milliCpu(cpuText)
    if (milli === null || milli <= 0)
      throw new ProviderError(
        'INVALID',
        `deploying ${label}: limits.cpu "${cpuText}" must be a CPU quantity such as 250m or 1`,
      )
    cpu = Math.ceil((milli * 1024) / 1000)
  }
  let memory = defaults.memoryMiB
  if (memoryText !== undefined) {
    const mib = memoryMiB(memoryText)
    if (mib === null || mib <= 0)
      throw new ProviderError(
        'INVALID',
        `deploying ${label}: limits.memory "${memoryText}" must be a memory quantity such as 512Mi`,
      )
    memory = mib
  }
  for (const tier of TIERS) {
    if (tier.cpu < cpu || tier.max < memory) continue
    const wanted = Math.max(memory, tier.min)
    const size = tier.fixed
      ? (tier.fixed.find((m) => m >= wanted) ?? tier.max)
      : tier.min + Math.ceil((wanted - tier.min) / tier.step) * tier.step
    return { cpu: String(tier.cpu), memory: String(size) }
  }
  throw new ProviderError(
    'INVALID',
    `deploying ${label}: no Fargate task size has ${cpu} CPU units and ${memory} MiB (at most 16 vCPU and 120 GiB)`,
  )
}
