/**
 * @module
 * Validators for the OpenFaaS request bodies. Unknown fields are dropped (the UI still sends `network`,
 * the spec lists `registryAuth`), `null` is accepted wherever Go clients send it for a nil map.
 */
import { z } from 'zod'

/** Absent (or null, as Go clients send for a nil value) → "is required"; any other type names the type. */
const absent = (input: unknown) => input === undefined || input === null

/** A string the request must carry: missing, null or empty is "is required", a number "must be a string". */
const requiredString = () =>
  z
    .string({ error: (issue) => (absent(issue.input) ? 'is required' : 'must be a string') })
    .min(1, { message: 'is required' })
const optionalString = () => z.string({ message: 'must be a string' }).optional()
const stringList = z.array(z.string({ message: 'must be a string' }), {
  message: 'must be a list of strings',
})
const stringMap = z.record(z.string(), z.string({ message: 'values must be strings' }), {
  message: 'must be an object with string values',
})
const nullableMap = stringMap.nullish()

const resources = z
  .object(
    {
      memory: optionalString(),
      cpu: optionalString(),
      'nvidia.com/gpu': optionalString(),
      'amd.com/gpu': optionalString(),
      'intel.com/gpu': optionalString(),
    },
    { message: 'must be an object such as {"memory":"128Mi","cpu":"100m"}' },
  )
  .nullish()

export const functionDeploymentSchema = z.object({
  service: requiredString(),
  image: requiredString(),
  namespace: optionalString(),
  envProcess: optionalString(),
  envVars: stringMap.nullish(),
  constraints: stringList.nullish(),
  secrets: stringList.nullish(),
  labels: nullableMap,
  annotations: nullableMap,
  limits: resources,
  requests: resources,
  readOnlyRootFilesystem: z.boolean({ message: 'must be true or false' }).optional(),
})

export const deleteFunctionSchema = z.object({
  functionName: requiredString(),
  namespace: optionalString(),
})

export const scaleServiceSchema = z.object({
  serviceName: optionalString(),
  replicas: z
    .number({ error: (issue) => (absent(issue.input) ? 'is required' : 'must be a number') })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must not be negative' }),
  namespace: optionalString(),
})

export const secretSchema = z.object({
  name: requiredString(),
  namespace: optionalString(),
  value: optionalString(),
  rawValue: optionalString(),
})

export const secretRefSchema = z.object({
  name: requiredString(),
  namespace: optionalString(),
})

export const functionNamespaceSchema = z.object({
  name: optionalString(),
  labels: nullableMap,
  annotations: nullableMap,
})
