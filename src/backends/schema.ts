/**
 * @module
 * A backend as users write it, through `/system/backends` or the backends file: one schema for both,
 * with messages that name the field to fix. Unknown fields are refused (a misspelt `lables` would
 * otherwise vanish silently); the kind's own rules (URL shape, credential characters) are checked once
 * more by the provider itself when the registry builds it (src/backends/provider-for.ts).
 */
import { z } from 'zod'
import { resolveEcsOptions } from '../../providers/ecs/options.ts'
import { resolveLambdaOptions } from '../../providers/lambda/options.ts'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import { isDns1123Label, isLabelKey, isLabelValue } from '../contract/names.ts'

/** The built-in backend of a Node gateway: the local provider. Not created, changed or deleted by users. */
export const LOCAL_BACKEND = 'local'

/** Kinds users can create. */
const CREATABLE_KINDS = ['openfaas', 'lambda', 'ecs'] as const
/** Kinds whose backend is an AWS account and region, reached with the AWS SDK. */
export const AWS_KINDS: ReadonlySet<string> = new Set(['lambda', 'ecs'])

const absent = (input: unknown) => input === undefined || input === null
/** An object's own message, except for a misspelt field, which zod names better itself. */
const unlessUnknownKey = (message: string) => (issue: { code?: string }) =>
  issue.code === 'unrecognized_keys' ? undefined : message
const requiredString = () =>
  z
    .string({ error: (issue) => (absent(issue.input) ? 'is required' : 'must be a string') })
    .min(1, { message: 'is required' })
const flag = z.boolean({ message: 'must be true or false' })
const positiveMs = z
  .number({ message: 'must be a number of milliseconds' })
  .int({ message: 'must be a whole number of milliseconds' })
  .min(1, { message: 'must be at least 1' })
  .max(3_600_000, { message: 'must be at most 3600000 (an hour)' })

const name = requiredString().refine(isDns1123Label, {
  message: 'must be a DNS-1123 label (lowercase a-z, 0-9 and "-", at most 63 characters), e.g. "eu-west"',
})

const kind = requiredString().refine((k) => (CREATABLE_KINDS as readonly string[]).includes(k), {
  error: (issue) =>
    issue.input === LOCAL_BACKEND
      ? 'local is the built-in backend of a Node gateway and cannot be created; use kind "openfaas" for a remote OpenFaaS gateway, faas-netes, faasd or edgefaas, "lambda" or "ecs" for AWS'
      : `must be one of: ${CREATABLE_KINDS.join(', ')}`,
})

const url = requiredString().superRefine((value, ctx) => {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://gateway.example.com' })
    return
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' })
  } else if (parsed.username || parsed.password) {
    ctx.addIssue({
      code: 'custom',
      message: 'must not hold credentials: give them as "credentials": {"username","password"} or {"token"}',
    })
  } else if (parsed.search || parsed.hash) {
    ctx.addIssue({ code: 'custom', message: 'must not have a query or a fragment' })
  }
})

/** Basic auth (`username` + `password`) or a bearer `token`, as the backend expects. */
const credentials = z
  .strictObject(
    {
      username: z.string({ message: 'must be a string' }).optional(),
      password: z.string({ message: 'must be a string' }).optional(),
      token: z.string({ message: 'must be a string' }).optional(),
    },
    { error: unlessUnknownKey('must be {"username":"…","password":"…"} or {"token":"…"}') },
  )
  .superRefine((c, ctx) => {
    const basic = c.username !== undefined || c.password !== undefined
    if (basic && c.token !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give either username and password, or token, not both' })
    } else if (c.token !== undefined) {
      if (!/^[\x21-\x7e]+$/.test(c.token))
        ctx.addIssue({
          code: 'custom',
          path: ['token'],
          message: 'must be non-empty printable ASCII without spaces',
        })
    } else if (!c.username || c.password === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be {"username":"…","password":"…"} or {"token":"…"}',
      })
    } else if (c.username.includes(':') || /[\r\n]/.test(c.username + c.password)) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'must not contain ":" or line breaks (nor may the password hold line breaks)',
      })
    }
  })
  .transform(
    (c): OpenFaasBackendCredentials =>
      c.token !== undefined ? { token: c.token } : { username: c.username ?? '', password: c.password ?? '' },
  )

/** An IAM user's (or a role session's) keys; without them the SDK's default chain is used. */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export type OpenFaasBackendCredentials = { username: string; password: string } | { token: string }
export type BackendCredentials = OpenFaasBackendCredentials | AwsCredentials

const awsCredentials = z.strictObject(
  {
    accessKeyId: requiredString().regex(/^[A-Z0-9]{16,128}$/, {
      message: 'must be an AWS access key ID (AKIA… or ASIA…)',
    }),
    secretAccessKey: requiredString().regex(/^[\x21-\x7e]{16,128}$/, {
      message: 'must be an AWS secret access key',
    }),
    sessionToken: z
      .string({ message: 'must be a string' })
      .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII' })
      .optional(),
  },
  {
    error: unlessUnknownKey(
      'must be {"accessKeyId":"…","secretAccessKey":"…"} (optionally "sessionToken"), or left out for the default AWS credential chain',
    ),
  },
)

const region = requiredString().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, {
  message: 'must be an AWS region such as eu-west-1',
})
const roleArn = requiredString().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
  message: 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/edgefaas-functions',
})
const idList = (prefix: string) =>
  z
    .array(
      requiredString().regex(new RegExp(`^${prefix}-[0-9a-f]+$`), { message: `must be ${prefix}-… IDs` }),
      {
        message: `must be a list of ${prefix}-… IDs`,
      },
    )
    .max(16, { message: 'must list at most 16' })
const wholeNumber = (min: number, max: number) =>
  z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
const prefix = z
  .string({ message: 'must be a string' })
  .regex(/^[A-Za-z0-9_-]{0,32}$/, { message: 'must be at most 32 letters, digits, "-" or "_"' })
const capabilities = z
  .strictObject({
    scale: flag.optional(),
    scaleToZero: flag.optional(),
    logs: flag.optional(),
    secrets: flag.optional(),
    namespaces: flag.optional(),
  })
  .optional()

const labels = z
  .record(z.string(), z.string({ message: 'values must be strings' }), {
    message: 'must be an object with string values, e.g. {"region":"eu"}',
  })
  .superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      if (!isLabelKey(key)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'keys must be label keys: letters, digits, "-", "_", "." (at most 63), optionally after a "prefix/"',
        })
        return
      }
      if (!isLabelValue(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message:
            'must be empty or up to 63 letters, digits, "-", "_", "." starting and ending alphanumeric',
        })
        return
      }
    }
  })

/** Options of the openfaas provider a user may set (providers/openfaas/options.ts has their meaning). */
const openfaasOptions = z.strictObject(
  {
    namespaces: z
      .union(
        [
          z.enum(['auto', 'passthrough']),
          z.strictObject({
            backend: z.string({ message: 'must be a namespace name or null' }).nullable(),
            serves: requiredString(),
          }),
        ],
        { message: 'must be "auto", "passthrough" or {"backend":"fn","serves":"openfaas-fn"}' },
      )
      .optional(),
    scaleFromZero: z.enum(['edgefaas', 'backend'], { message: 'must be "edgefaas" or "backend"' }).optional(),
    readyCacheMs: positiveMs.optional(),
    timeoutMs: positiveMs.optional(),
    capabilities: z
      .strictObject({
        scale: flag.optional(),
        scaleToZero: flag.optional(),
        logs: flag.optional(),
        secrets: flag.optional(),
        namespaces: flag.optional(),
      })
      .optional(),
  },
  {
    error: unlessUnknownKey(
      'must be an object, e.g. {"namespaces":"auto","capabilities":{"scaleToZero":false}}',
    ),
  },
)

export type OpenFaasBackendOptions = z.output<typeof openfaasOptions>

/** Options of a `lambda` backend (providers/lambda/options.ts has their meaning). */
const lambdaOptions = z.strictObject(
  {
    roleArn,
    functionPrefix: prefix.optional(),
    alias: z.string({ message: 'must be a string' }).optional(),
    architecture: z.enum(['x86_64', 'arm64'], { message: 'must be "x86_64" or "arm64"' }).optional(),
    subnets: idList('subnet').optional(),
    securityGroups: idList('sg').optional(),
    kmsKeyArn: requiredString()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, { message: 'must be a KMS key ARN' })
      .optional(),
    memoryMiB: wholeNumber(128, 10_240).optional(),
    timeoutSeconds: wholeNumber(1, 900).optional(),
    waitSeconds: wholeNumber(1, 3_600).optional(),
    statusCacheMs: positiveMs.optional(),
    capabilities,
  },
  {
    error: unlessUnknownKey(
      'must be an object with at least "roleArn", e.g. {"roleArn":"arn:aws:iam::123456789012:role/edgefaas-functions"}',
    ),
  },
)
export type LambdaBackendOptions = z.output<typeof lambdaOptions>

/** Options of an `ecs` backend (providers/ecs/options.ts has their meaning). */
const ecsOptions = z.strictObject(
  {
    cluster: requiredString(),
    subnets: idList('subnet').min(1, { message: 'must list at least one subnet' }),
    securityGroups: idList('sg'),
    assignPublicIp: flag.optional(),
    executionRoleArn: roleArn,
    taskRoleArn: roleArn.optional(),
    invokeUrl: requiredString(),
    servicePrefix: prefix.optional(),
    logGroup: z.string({ message: 'must be a string' }).optional(),
    cpu: wholeNumber(256, 16_384).optional(),
    memoryMiB: wholeNumber(512, 122_880).optional(),
    architecture: z.enum(['X86_64', 'ARM64'], { message: 'must be "X86_64" or "ARM64"' }).optional(),
    readyCacheMs: positiveMs.optional(),
    capabilities,
  },
  {
    error: unlessUnknownKey(
      'must be an object with "cluster", "subnets", "securityGroups", "executionRoleArn" and "invokeUrl"',
    ),
  },
)
export type EcsBackendOptions = z.output<typeof ecsOptions>

/**
 * A backend as created or replaced. `credentials: null` (or omitted in the backends file) means none;
 * an update through the API that omits `credentials` keeps the stored ones (they are never returned, so
 * a client could not send them back). Each kind takes its own fields: `openfaas` a `url` and basic or
 * bearer credentials; `lambda` and `ecs` a `region`, AWS keys (or none: the default AWS credential
 * chain of the gateway's host) and their `options`.
 */
const backendFields = {
  name: name.optional(),
  kind,
  url: z.unknown().optional(),
  region: z.unknown().optional(),
  credentials: z.unknown().optional(),
  labels: labels.optional(),
  default: flag.optional(),
  options: z.unknown().optional(),
}

interface CommonInput {
  name?: string | undefined
  labels?: Record<string, string> | undefined
  default?: boolean | undefined
}

export type OpenFaasBackendInput = CommonInput & {
  kind: 'openfaas'
  url: string
  credentials?: OpenFaasBackendCredentials | null | undefined
  options?: OpenFaasBackendOptions | undefined
}
export type LambdaBackendInput = CommonInput & {
  kind: 'lambda'
  region: string
  credentials?: AwsCredentials | null | undefined
  options: LambdaBackendOptions
}
export type EcsBackendInput = CommonInput & {
  kind: 'ecs'
  region: string
  credentials?: AwsCredentials | null | undefined
  options: EcsBackendOptions
}
export type BackendInput = OpenFaasBackendInput | LambdaBackendInput | EcsBackendInput

interface Fields {
  kind: string
  name?: string | undefined
  url?: unknown
  region?: unknown
  credentials?: unknown
  labels?: Record<string, string> | undefined
  default?: boolean | undefined
  options?: unknown
}

/** Checks the kind's own fields, naming each field to fix; returns the typed backend. */
function byKind(input: Fields, ctx: z.RefinementCtx): BackendInput {
  // An unknown kind has its own issue already; its other fields mean nothing.
  if (!(CREATABLE_KINDS as readonly string[]).includes(input.kind)) return z.NEVER
  const issues = (at: string, error: z.ZodError) => {
    for (const issue of error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: [at, ...issue.path] })
  }
  const field = <T>(at: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value)
    if (parsed.success) return parsed.data
    issues(at, parsed.error)
    return undefined
  }
  const refuse = (at: string, what: string) => {
    if (input[at as keyof Fields] !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `is not a field of kind "${input.kind}" (${what})`,
        path: [at],
      })
  }
  const common: CommonInput = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.labels !== undefined ? { labels: input.labels } : {}),
    ...(input.default !== undefined ? { default: input.default } : {}),
  }
  if (input.kind === 'openfaas') {
    refuse('region', 'an OpenFaaS backend is reached at its url')
    const u = field('url', url, input.url)
    const c = field('credentials', credentials.nullable().optional(), input.credentials)
    const o = field('options', openfaasOptions.optional(), input.options)
    return {
      ...common,
      kind: 'openfaas',
      url: u ?? '',
      ...(c !== undefined ? { credentials: c } : {}),
      ...(o !== undefined ? { options: o } : {}),
    }
  }
  refuse('url', 'an AWS backend is reached through its region; ECS takes options.invokeUrl')
  const r = field('region', region, input.region)
  const c = field('credentials', awsCredentials.nullable().optional(), input.credentials)
  const schema: z.ZodType<unknown> = input.kind === 'lambda' ? lambdaOptions : ecsOptions
  const o = field('options', schema, input.options) ?? {}
  return {
    ...common,
    kind: input.kind as 'lambda',
    region: r ?? '',
    ...(c !== undefined ? { credentials: c } : {}),
    options: o as LambdaBackendOptions,
  }
}

export const backendInputSchema = z
  .strictObject(backendFields, { error: unlessUnknownKey('must be an object') })
  .transform(byKind)

/** A backend with its name, as POST and the backends file give it. */
export const namedBackendSchema = z
  .strictObject({ ...backendFields, name }, { error: unlessUnknownKey('must be an object') })
  .transform((input, ctx) => byKind(input, ctx) as BackendInput & { name: string })
export type NamedBackendInput = z.output<typeof namedBackendSchema>

/** `field: message; field: message` for a failed parse, the shape every validation error here takes. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
}

/**
 * What the kind's provider itself would refuse in an otherwise well-formed backend (e.g. a namespace
 * mapping that names no valid namespace, an invoke URL template with a placeholder in the wrong place),
 * as a message; null when it would build. Builds no SDK client and makes no request.
 */
export function kindProblem(input: BackendInput, defaultNamespace: string): string | null {
  const never = () => Promise.reject(new Error('not connected'))
  try {
    if (input.kind === 'openfaas') {
      createOpenFaasProvider({
        url: input.url,
        credentials: input.credentials ?? undefined,
        http: never,
        defaultNamespace,
        ...input.options,
      })
    } else if (input.kind === 'lambda') {
      resolveLambdaOptions({ ...input.options, region: input.region, clients: null as never })
    } else {
      resolveEcsOptions({ ...input.options, region: input.region, clients: null as never, http: never })
    }
    return null
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return input.kind === 'openfaas' ? message : `options: ${message}`
  }
}
