/**
 * @module
 * The operator's allow-lists of trigger sources (EDGEFAAS_TRIGGERS_SQS_QUEUES, _NATS_SUBJECTS): parsed
 * once from the config, matched at deploy.
 */

/** Comma-separated entries, trimmed, empty ones dropped. */
export function parseAllowList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

/** Whether `value` matches one entry: equal, or starting with an entry's text before `suffix`. */
export function allowedBy(entries: readonly string[], value: string, suffix: string): boolean {
  return entries.some((entry) =>
    entry.endsWith(suffix) ? value.startsWith(entry.slice(0, -suffix.length)) : entry === value,
  )
}
