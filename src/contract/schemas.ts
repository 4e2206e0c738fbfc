/**
 * @module
 * Validators for the OpenFaaS request bodies. Unknown fields are dropped (the UI still sends `network`,
 * the spec lists `registryAuth`), `null` is accepted wherever Go clients send it for a nil map.
 */
import { z } from 'zod'

const stringMap = z.record(z.string(), z.string({ message: 'values must be strings' }))
const nullableMap = stringMap.nullish()

const resources = z
  .object({
    memory: z.string().optional(),
    cpu: z.string().optional(),
    'nvidia.com/gpu': z.string().optional(),
    'amd.com/gpu': z.string().optional(),
    'intel.com/gpu': z.string().optional(),
  })
  .nullish()

export const functionDeploymentSchema = z.object({
  service: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
  image: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
  namespace: z.string().optional(),
  envProcess: z.string().optional(),
  envVars: stringMap.nullish(),
  constraints: z.array(z.string()).nullish(),
  secrets: z.array(z.string()).nullish(),
  labels: nullableMap,
  annotations: nullableMap,
  limits: resources,
  requests: resources,
  readOnlyRootFilesystem: z.boolean().optional(),
})

export const deleteFunctionSchema = z.object({
  functionName: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
  namespace: z.string().optional(),
})

export const scaleServiceSchema = z.object({
  serviceName: z.string().optional(),
  replicas: z
    .number({ message: 'is required and must be a number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must not be negative' }),
  namespace: z.string().optional(),
})

export const secretSchema = z.object({
  name: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
  namespace: z.string().optional(),
  value: z.string().optional(),
  rawValue: z.string().optional(),
})

export const secretRefSchema = z.object({
  name: z.string({ message: 'is required' }).min(1, { message: 'is required' }),
  namespace: z.string().optional(),
})

export const functionNamespaceSchema = z.object({
  name: z.string().optional(),
  labels: nullableMap,
  annotations: nullableMap,
})
