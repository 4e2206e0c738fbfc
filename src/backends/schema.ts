/**
 * @module
 * A backend as users write it, through `/system/backends` or the backends file: one schema for both,
 * with messages that name the field to fix. Unknown fields are refused (a misspelt `lables` would
 * otherwise vanish silently); the kind's own rules (URL shape, credential characters) are checked once
 * more by the provider itself when the registry builds it (src/backends/provider-for.ts).
 */
import { z } from 'zod'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import { isDns1123Label, isLabelKey, isLabelValue } from '../contract/names.ts'

/** The built-in backend of a Node gateway: the local provider. Not created, changed or deleted by users. */
export const LOCAL_BACKEND = 'local'

/** Kinds users can create. */
const CREATABLE_KINDS = ['openfaas'] as const

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
      ? 'local is the built-in backend of a Node gateway and cannot be created; use kind "openfaas" for a remote OpenFaaS gateway, faas-netes, faasd or edgefaas'
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
    (c): BackendCredentials =>
      c.token !== undefined ? { token: c.token } : { username: c.username ?? '', password: c.password ?? '' },
  )

export type BackendCredentials = { username: string; password: string } | { token: string }

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

/**
 * A backend as created or replaced. `credentials: null` (or omitted in the backends file) means none;
 * an update through the API that omits `credentials` keeps the stored ones (they are never returned, so
 * a client could not send them back).
 */
export const backendInputSchema = z.strictObject(
  {
    name: name.optional(),
    kind,
    url,
    credentials: credentials.nullable().optional(),
    labels: labels.optional(),
    default: flag.optional(),
    options: openfaasOptions.optional(),
  },
  { error: unlessUnknownKey('must be an object') },
)

export type BackendInput = z.output<typeof backendInputSchema>

/** A backend with its name, as POST and the backends file give it. */
export const namedBackendSchema = backendInputSchema.extend({ name })
export type NamedBackendInput = z.output<typeof namedBackendSchema>

/** `field: message; field: message` for a failed parse, the shape every validation error here takes. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
}

/**
 * What the kind's provider itself would refuse in an otherwise well-formed backend (e.g. a namespace
 * mapping that names no valid namespace), as a message; null when it would build.
 */
export function kindProblem(input: BackendInput, defaultNamespace: string): string | null {
  try {
    createOpenFaasProvider({
      url: input.url,
      credentials: input.credentials ?? undefined,
      // Never called: building the provider makes no request.
      http: () => Promise.reject(new Error('not connected')),
      defaultNamespace,
      ...input.options,
    })
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
