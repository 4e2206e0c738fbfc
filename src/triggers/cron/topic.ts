/**
 * @module
 * Cron topics as the OpenFaaS cron-connector reads them: `topic: cron-function` with a `schedule`
 * annotation, 5 fields (minute precision) or 6 (seconds first), parsed by croner; an optional IANA time
 * zone in `edgefaas.dev/schedule-timezone` (default UTC, as the cron-connector's container runs).
 */
import { Cron } from 'croner'
import type { TopicRules } from '../types.ts'

export const CRON_TOPIC = 'cron-function'
export const SCHEDULE_ANNOTATION = 'schedule'
export const TIMEZONE_ANNOTATION = 'edgefaas.dev/schedule-timezone'

/** The schedule of a function, ready to compute runs; a message naming what to fix otherwise. */
export function scheduleOf(annotations: Record<string, string>): Cron | string {
  const pattern = annotations[SCHEDULE_ANNOTATION]?.trim()
  if (!pattern)
    return `topic ${CRON_TOPIC} needs a ${SCHEDULE_ANNOTATION} annotation, a cron expression such as "*/5 * * * *"`
  if (pattern.length > 256) return `annotation ${SCHEDULE_ANNOTATION} is longer than 256 characters`
  const timezone = annotations[TIMEZONE_ANNOTATION]?.trim() || 'UTC'
  if (timezone.length > 64)
    return `annotation ${TIMEZONE_ANNOTATION} must be an IANA time zone such as Europe/Berlin or UTC`
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone })
  } catch {
    return `annotation ${TIMEZONE_ANNOTATION} must be an IANA time zone such as Europe/Berlin or UTC`
  }
  try {
    const cron = new Cron(pattern, { paused: true, timezone, mode: '5-or-6-parts' })
    if (!cron.nextRun()) return `annotation ${SCHEDULE_ANNOTATION} "${pattern}" never runs again`
    return cron
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : 'invalid'
    return `annotation ${SCHEDULE_ANNOTATION} "${pattern.slice(0, 100)}" is not a cron expression (${reason}); use 5 fields "minute hour day-of-month month day-of-week", or 6 with seconds first`
  }
}

export const cronTopic: TopicRules = {
  kind: 'cron',
  owns: (topic) => topic === CRON_TOPIC,
  check(_topic, annotations) {
    const schedule = scheduleOf(annotations)
    return typeof schedule === 'string' ? schedule : null
  },
}
