/**
 * The plan differ, table-tested: what the stack would send against what the gateway reports gives
 * creates, field-by-field changes and (with prune) removals, and nothing for a function that matches,
 * whatever the gateway adds on its side (faas_function, empty maps left out).
 */
import { describe, expect, it } from 'vitest'
import { type FieldChange, planChanges } from '../../src/cli/plan/diff.ts'
import type { FunctionDeployment, FunctionStatus } from '../../src/contract/types.ts'

const NS = 'openfaas-fn'
const status = (s: Partial<FunctionStatus> & { name: string }): FunctionStatus => ({
  image: 'img:1',
  namespace: NS,
  labels: { faas_function: s.name },
  annotations: {},
  createdAt: '2026-12-01T00:00:00Z',
  ...s,
})
const deployment = (d: Partial<FunctionDeployment> & { service: string }): FunctionDeployment => ({
  image: 'img:1',
  labels: {},
  annotations: {},
  ...d,
})
const plan = (desired: FunctionDeployment[], actual: FunctionStatus[], prune = false) =>
  planChanges(desired, actual, { prune, defaultNamespace: NS })

describe('planChanges', () => {
  it.each([
    ['the same function as the gateway reports it', deployment({ service: 'a' }), status({ name: 'a' })],
    [
      'env, secrets in another order, labels and resources',
      deployment({
        service: 'a',
        envVars: { A: '1' },
        secrets: ['y', 'x'],
        labels: { tier: 'gold' },
        limits: { memory: '128Mi' },
      }),
      status({
        name: 'a',
        envVars: { A: '1' },
        secrets: ['x', 'y'],
        labels: { tier: 'gold', faas_function: 'a' },
        limits: { memory: '128Mi' },
      }),
    ],
    [
      'empty maps and lists on one side, absent on the other',
      deployment({ service: 'a', envVars: {}, secrets: [], constraints: [], limits: {} }),
      status({ name: 'a' }),
    ],
    [
      'an explicit namespace equal to the default',
      deployment({ service: 'a', namespace: NS }),
      status({ name: 'a' }),
    ],
    [
      'what faas-netes adds: pod-template labels, the prometheus.io.scrape annotation',
      deployment({ service: 'a' }),
      status({
        name: 'a',
        labels: { faas_function: 'a', uid: '123', 'pod-template-hash': 'abc' },
        annotations: { 'prometheus.io.scrape': 'false' },
      }),
    ],
  ])('no change: %s', (_, desired, actual) => {
    const result = plan([desired], [actual])
    expect(result.changes).toEqual([])
    expect(result.unchanged).toEqual([{ name: 'a', namespace: NS }])
  })

  it.each([
    ['image', { image: 'img:2' }, {}, [{ field: 'image', before: '"img:1"', after: '"img:2"' }]],
    [
      'an env value',
      { envVars: { A: '2' } },
      { envVars: { A: '1' } },
      [{ field: 'envVars.A', before: '"1"', after: '"2"' }],
    ],
    ['an env var added', { envVars: { B: 'x' } }, {}, [{ field: 'envVars.B', after: '"x"' }]],
    ['an annotation removed', {}, { annotations: { k: 'v' } }, [{ field: 'annotations.k', before: '"v"' }]],
    [
      'a secret added',
      { secrets: ['s1', 's2'] },
      { secrets: ['s1'] },
      [{ field: 'secrets', before: '["s1"]', after: '["s1","s2"]' }],
    ],
    [
      'constraints reordered',
      { constraints: ['b', 'a'] },
      { constraints: ['a', 'b'] },
      [{ field: 'constraints', before: '["a","b"]', after: '["b","a"]' }],
    ],
    [
      'a memory limit',
      { limits: { memory: '256Mi' } },
      { limits: { memory: '128Mi' } },
      [{ field: 'limits.memory', before: '"128Mi"', after: '"256Mi"' }],
    ],
    [
      'a cpu request dropped',
      {},
      { requests: { cpu: '100m' } },
      [{ field: 'requests.cpu', before: '"100m"' }],
    ],
    [
      'read-only root',
      { readOnlyRootFilesystem: true },
      {},
      [{ field: 'readOnlyRootFilesystem', before: 'false', after: 'true' }],
    ],
    [
      'fprocess',
      { envProcess: 'cat' },
      { envProcess: 'env' },
      [{ field: 'envProcess', before: '"env"', after: '"cat"' }],
    ],
    [
      'an added key the stack file sets itself',
      { annotations: { 'prometheus.io.scrape': 'true' } },
      { annotations: { 'prometheus.io.scrape': 'false' } },
      [{ field: 'annotations.prometheus.io.scrape', before: '"false"', after: '"true"' }],
    ],
    [
      'placement',
      { annotations: { 'edgefaas.dev/backends': 'a=50,b=50' } },
      { annotations: { 'edgefaas.dev/backends': 'a' } },
      [{ field: 'annotations.edgefaas.dev/backends', before: '"a"', after: '"a=50,b=50"' }],
    ],
  ] as Array<[string, Partial<FunctionDeployment>, Partial<FunctionStatus>, FieldChange[]]>)(
    'change: %s, field by field',
    (_, want, have, fields) => {
      const result = plan([deployment({ service: 'a', ...want })], [status({ name: 'a', ...have })])
      expect(result.changes).toEqual([
        expect.objectContaining({ action: 'update', name: 'a', namespace: NS, fields }),
      ])
    },
  )

  it('creates what the gateway lacks, listing what it will set', () => {
    const result = plan([deployment({ service: 'new', envVars: { A: '1' } })], [])
    expect(result.changes).toEqual([
      expect.objectContaining({
        action: 'create',
        name: 'new',
        fields: [
          { field: 'image', after: '"img:1"' },
          { field: 'envVars.A', after: '"1"' },
        ],
      }),
    ])
  })

  it('removes what the stack no longer names only with prune', () => {
    const actual = [status({ name: 'kept' }), status({ name: 'b-gone' }), status({ name: 'a-gone' })]
    expect(plan([deployment({ service: 'kept' })], actual).changes).toEqual([])
    expect(plan([deployment({ service: 'kept' })], actual, true).changes).toEqual([
      { action: 'remove', name: 'a-gone', namespace: NS },
      { action: 'remove', name: 'b-gone', namespace: NS },
    ])
  })

  it('with prune and a filter, removes only the selected functions', () => {
    const actual = [status({ name: 'api-old' }), status({ name: 'web' })]
    const result = planChanges([], actual, {
      prune: true,
      defaultNamespace: NS,
      selects: (f) => f.name.startsWith('api-'),
    })
    expect(result.changes).toEqual([{ action: 'remove', name: 'api-old', namespace: NS }])
  })

  it('matches by namespace: the same name elsewhere is another function', () => {
    const result = plan([deployment({ service: 'a', namespace: 'staging' })], [status({ name: 'a' })], true)
    expect(result.changes.map((c) => `${c.action} ${c.name}.${c.namespace}`)).toEqual([
      'create a.staging',
      'remove a.openfaas-fn',
    ])
  })
})
