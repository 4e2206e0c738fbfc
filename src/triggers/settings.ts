/**
 * @module
 * Per-trigger settings of message sources, from the subscribed function's annotations: how many messages
 * one receive takes (`edgefaas.dev/trigger-batch-size`) and how many receive loops run at once
 * (`edgefaas.dev/trigger-concurrency`). Where several functions subscribe to one queue or subject, the
 * consumer uses the largest value any of them asks for.
 */
export const BATCH_SIZE_ANNOTATION = 'edgefaas.dev/trigger-batch-size'
export const CONCURRENCY_ANNOTATION = 'edgefaas.dev/trigger-concurrency'

export interface ConsumerSettings {
  batchSize: number
  concurrency: number
}

const LIMITS = {
  [BATCH_SIZE_ANNOTATION]: { min: 1, max: 10, fallback: 10 },
  [CONCURRENCY_ANNOTATION]: { min: 1, max: 32, fallback: 2 },
} as const

type Key = keyof typeof LIMITS

/** `maxBatch`: the source's own ceiling (SQS takes at most 10 a receive). */
export function settingProblem(annotations: Record<string, string>, maxBatch: number): string | null {
  for (const key of Object.keys(LIMITS) as Key[]) {
    const value = annotations[key]
    if (value === undefined) continue
    const { min } = LIMITS[key]
    const max = key === BATCH_SIZE_ANNOTATION ? maxBatch : LIMITS[key].max
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      return `annotation ${key} must be a whole number from ${min} to ${max}`
  }
  return null
}

function read(annotations: Record<string, string>, key: Key, max: number): number {
  const value = Number(annotations[key])
  const { min, fallback } = LIMITS[key]
  return Number.isInteger(value) && value >= min && value <= max ? value : Math.min(fallback, max)
}

/** The settings of one consumer shared by `subscribers` (each one's annotations). */
export function consumerSettings(
  subscribers: ReadonlyArray<{ annotations: Record<string, string> }>,
  maxBatch: number,
): ConsumerSettings {
  let batchSize = 1
  let concurrency = 1
  for (const { annotations } of subscribers) {
    batchSize = Math.max(batchSize, read(annotations, BATCH_SIZE_ANNOTATION, maxBatch))
    concurrency = Math.max(
      concurrency,
      read(annotations, CONCURRENCY_ANNOTATION, LIMITS[CONCURRENCY_ANNOTATION].max),
    )
  }
  return { batchSize, concurrency }
}
