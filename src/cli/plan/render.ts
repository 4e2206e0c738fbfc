/**
 * @module
 * A plan for people: one block per function (`+ create`, `~ change`, `- remove`) with the fields that
 * change, `before → after`, and a summary line; and for machines, the same as JSON.
 */
import type { Plan, PlannedChange } from './diff.ts'

const SIGN = { create: '+', update: '~', remove: '-' } as const
const VERB = { create: 'create', update: 'change', remove: 'remove' } as const

export function renderPlan(plan: Plan, gateway: string, source: string): string {
  const lines: string[] = []
  if (plan.changes.length === 0) {
    return `No changes: ${gateway} matches ${source} (${plan.unchanged.length} function${plan.unchanged.length === 1 ? '' : 's'}).\n`
  }
  lines.push(`Plan for ${gateway} (${source}):`, '')
  for (const change of plan.changes) {
    lines.push(`${SIGN[change.action]} ${VERB[change.action]}  ${qualified(change)}`)
    if (change.action === 'remove') continue
    const width = Math.max(...change.fields.map((f) => f.field.length))
    for (const f of change.fields) {
      const value =
        change.action === 'create' ? (f.after ?? '') : `${f.before ?? '(none)'} → ${f.after ?? '(none)'}`
      lines.push(`    ${f.field.padEnd(width)}  ${value}`)
    }
  }
  lines.push('', summary(plan))
  return `${lines.join('\n')}\n`
}

export function summary(plan: Plan): string {
  const count = (action: PlannedChange['action']) => plan.changes.filter((c) => c.action === action).length
  return `${count('create')} to create, ${count('update')} to change, ${count('remove')} to remove, ${plan.unchanged.length} unchanged.`
}

export function planJson(plan: Plan, gateway: string) {
  const count = (action: PlannedChange['action']) => plan.changes.filter((c) => c.action === action).length
  return {
    gateway,
    changes: plan.changes.map((c) =>
      c.action === 'remove'
        ? { action: c.action, name: c.name, namespace: c.namespace }
        : { action: c.action, name: c.name, namespace: c.namespace, fields: c.fields },
    ),
    unchanged: plan.unchanged,
    summary: {
      create: count('create'),
      update: count('update'),
      remove: count('remove'),
      unchanged: plan.unchanged.length,
    },
  }
}

export function qualified(c: { name: string; namespace?: string }): string {
  return c.namespace ? `${c.name}.${c.namespace}` : c.name
}
