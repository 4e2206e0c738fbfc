/**
 * @module
 * The stack file commands: `deploy` (PUT, then POST on 404, for every selected function; `--wait`
 * follows them to ready), `plan` (what apply would change, changing nothing) and `apply` (make the
 * gateway match the stack file; `--prune` also removes what the file no longer names).
 */
import type { FunctionDeployment, FunctionStatus } from '../../contract/types.ts'
import { GatewayClient } from '../client.ts'
import { type CliIo, type CommandSpec, EXIT, type Invocation, type OptionValues } from '../command-table.ts'
import { CliError, usageError } from '../errors.ts'
import { listFunctions, removeFunction, upsertFunction } from '../functions-api.ts'
import { parsePairs, printJson } from '../output.ts'
import { type Plan, planChanges } from '../plan/diff.ts'
import { planJson, qualified, renderPlan } from '../plan/render.ts'
import { type DeployOverrides, toDeployment } from '../stack/deployment.ts'
import { type LoadedStack, loadStack, matcher } from '../stack/load.ts'
import { GATEWAY_OPTIONS, resolveTarget } from '../target.ts'
import { parseTimeout, type WaitTarget, waitForFunctions } from '../wait.ts'
import { list } from './common.ts'

const STACK_OPTIONS = {
  file: {
    type: 'string',
    short: 'f',
    placeholder: 'stack.yml',
    description: 'stack file, a path or an http(s) URL (default ./stack.yaml, ./stack.yml)',
  },
  filter: {
    type: 'string',
    placeholder: 'wildcard',
    description: 'only functions whose name matches, e.g. "api-*"',
  },
  regex: {
    type: 'string',
    placeholder: 'regex',
    description: 'only functions whose name matches the regular expression',
  },
  namespace: {
    type: 'string',
    short: 'n',
    placeholder: 'ns',
    description: "namespace for every function (wins over the stack file's)",
  },
  'no-envsubst': {
    type: 'boolean',
    description: `leave $VAR and \${VAR:-default} in the stack file as written`,
  },
  env: {
    type: 'string',
    short: 'e',
    multiple: true,
    placeholder: 'k=v',
    description: 'environment variable, wins over the stack file (repeatable)',
  },
  label: {
    type: 'string',
    short: 'l',
    multiple: true,
    placeholder: 'k=v',
    description: 'label added to every function (repeatable)',
  },
  annotation: {
    type: 'string',
    multiple: true,
    placeholder: 'k=v',
    description: 'annotation added to every function (repeatable)',
  },
  secret: {
    type: 'string',
    multiple: true,
    placeholder: 'name',
    description: 'secret added to every function (repeatable)',
  },
  constraint: {
    type: 'string',
    multiple: true,
    placeholder: 'c',
    description: 'constraint, for functions whose stack entry has none (repeatable)',
  },
  readonly: { type: 'boolean', description: 'read-only root filesystem for every function' },
  ...GATEWAY_OPTIONS,
} as const

/** faas-cli's flag mode: one function from flags, no stack file. */
const IMAGE_OPTIONS = {
  image: {
    type: 'string',
    placeholder: 'image',
    description: 'deploy one function from flags: its image (with --name)',
  },
  name: { type: 'string', placeholder: 'name', description: 'with --image: the function name' },
  fprocess: {
    type: 'string',
    placeholder: 'command',
    description: 'with --image: the process the watchdog runs',
  },
} as const

const WAIT_OPTIONS = {
  wait: { type: 'boolean', description: 'wait until every function is ready, showing progress' },
  timeout: { type: 'string', placeholder: 'duration', description: 'how long --wait waits (default 2m)' },
} as const

const DEFAULT_WAIT_MS = 120_000

interface Prepared {
  stack: LoadedStack
  client: GatewayClient
  deployments: FunctionDeployment[]
}

/** Reads the whole stack, env files included, before any write: a bad file changes nothing. */
async function prepare(options: OptionValues, io: CliIo): Promise<Prepared> {
  const stack =
    options.image !== undefined || options.name !== undefined
      ? fromFlags(options)
      : await loadStack({
          file: str(options.file),
          filter: str(options.filter),
          regex: str(options.regex),
          envsubst: options['no-envsubst'] !== true,
          env: io.env,
          cwd: io.cwd,
        })
  const client = new GatewayClient(await resolveTarget(options, io, stack.provider.gateway))
  const overrides: DeployOverrides = {
    namespace: str(options.namespace),
    env: parsePairs(list(options.env), 'env'),
    labels: parsePairs(list(options.label), 'label'),
    annotations: parsePairs(list(options.annotation), 'annotation'),
    secrets: list(options.secret),
    constraints: list(options.constraint),
    readOnly: options.readonly === true,
  }
  const deployments: FunctionDeployment[] = []
  for (const fn of stack.functions) deployments.push(await toDeployment(fn, stack, io.cwd, overrides))
  return { stack, client, deployments }
}

/** `deploy --image IMAGE --name NAME [--fprocess CMD]`: one function, as faas-cli's flag mode. */
function fromFlags(options: OptionValues): LoadedStack {
  const image = str(options.image)
  const name = str(options.name)
  if (!image || !name) throw usageError('deploy from flags needs both --image and --name')
  if (options.file !== undefined) throw usageError('give a stack file (-f) or --image and --name, not both')
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
    throw usageError(`--name "${name}": use at most 63 lowercase letters, digits and "-"`)
  }
  const fprocess = str(options.fprocess)
  return {
    source: '(flags)',
    provider: { name: 'openfaas' },
    functions: [
      {
        name,
        image,
        ...(fprocess ? { fprocess } : {}),
        environment: {},
        environmentFile: [],
        secrets: [],
        labels: {},
        annotations: {},
        readOnlyRootFilesystem: false,
      },
    ],
  }
}

async function deploy({ options, io }: Invocation): Promise<number> {
  const { stack, client, deployments } = await prepare(options, io)
  if (deployments.length === 0) throw new CliError(`${stack.source} has no functions to deploy`)
  const wait = waitMs(options)
  const deployed: WaitTarget[] = []
  let failed = 0
  for (const d of deployments) {
    io.stdout.write(`Deploying: ${d.service}.\n`)
    try {
      const how = await upsertFunction(client, d)
      io.stdout.write(
        `${how === 'created' ? 'Created' : 'Updated'} ${qualified({ name: d.service, namespace: d.namespace })}. URL: ${client.gateway}/function/${qualified({ name: d.service, namespace: d.namespace })}\n`,
      )
      deployed.push({ name: d.service, ...(d.namespace ? { namespace: d.namespace } : {}) })
    } catch (error) {
      failed++
      io.stderr.write(`Failed ${d.service}: ${error instanceof Error ? error.message : String(error)}\n`)
    }
  }
  failed += await waitAndReport(client, deployed, wait, io)
  if (failed > 0) {
    io.stderr.write(`${failed} of ${deployments.length} function(s) failed.\n`)
    return EXIT.failed
  }
  return EXIT.ok
}

async function computePlan(prepared: Prepared, options: OptionValues): Promise<Plan> {
  const { client, deployments } = prepared
  if (options.prune === true && deployments.length === 0) {
    // An emptied file (a bad merge) must not turn into "remove everything" in CI.
    throw new CliError(
      `${prepared.stack.source} names no function, so --prune would remove every function in the namespace; remove them with \`edgefaas remove\` if that is meant`,
    )
  }
  const namespaces = [...new Set(deployments.map((d) => d.namespace ?? ''))]
  if (namespaces.length === 0) namespaces.push(str(options.namespace) ?? '')
  const lists = await Promise.all(namespaces.map((ns) => listFunctions(client, ns || undefined)))
  const unqualified = lists[namespaces.indexOf('')] ?? []
  const defaultNamespace = unqualified.find((s) => s.namespace)?.namespace ?? ''
  const seen = new Set<string>()
  const actual: FunctionStatus[] = []
  for (const status of lists.flat()) {
    const id = `${status.namespace ?? ''}/${status.name}`
    if (!seen.has(id)) actual.push(status)
    seen.add(id)
  }
  return planChanges(deployments, actual, {
    prune: options.prune === true,
    defaultNamespace,
    selects: matcher({ filter: str(options.filter), regex: str(options.regex) }),
  })
}

async function plan({ options, io }: Invocation): Promise<number> {
  const prepared = await prepare(options, io)
  const result = await computePlan(prepared, options)
  if (options.json === true) printJson(io, planJson(result, prepared.client.gateway))
  else io.stdout.write(renderPlan(result, prepared.client.gateway, prepared.stack.source))
  return options['exit-code'] === true && result.changes.length > 0 ? EXIT.changes : EXIT.ok
}

async function apply({ options, io }: Invocation): Promise<number> {
  const prepared = await prepare(options, io)
  const { client } = prepared
  const wait = waitMs(options)
  const result = await computePlan(prepared, options)
  io.stdout.write(renderPlan(result, client.gateway, prepared.stack.source))
  if (result.changes.length === 0) return EXIT.ok
  if (options.yes !== true) await confirm(io)
  let failed = 0
  const applied: WaitTarget[] = []
  for (const change of result.changes) {
    const name = qualified(change)
    try {
      if (change.action === 'remove') {
        await removeFunction(client, change.name, change.namespace || undefined)
        io.stdout.write(`Removed ${name}.\n`)
      } else {
        await upsertFunction(client, change.deployment)
        io.stdout.write(`${change.action === 'create' ? 'Created' : 'Changed'} ${name}.\n`)
        applied.push({ name: change.name, ...(change.namespace ? { namespace: change.namespace } : {}) })
      }
    } catch (error) {
      failed++
      io.stderr.write(
        `Failed to ${change.action} ${name}: ${error instanceof Error ? error.message : String(error)}\n`,
      )
    }
  }
  failed += await waitAndReport(client, applied, wait, io)
  if (failed > 0) {
    io.stderr.write(
      `${failed} of ${result.changes.length} change(s) failed; run \`edgefaas plan\` to see what is left.\n`,
    )
    return EXIT.failed
  }
  io.stdout.write(`Applied: ${result.changes.length} change(s).\n`)
  return EXIT.ok
}

/** Waits when asked; the number of functions that did not become ready. */
async function waitAndReport(
  client: GatewayClient,
  targets: WaitTarget[],
  waitFor: number | null,
  io: CliIo,
) {
  if (waitFor === null || targets.length === 0) return 0
  io.stdout.write(`Waiting up to ${Math.round(waitFor / 1000)}s for ${targets.length} function(s):\n`)
  const results = await waitForFunctions(client, targets, waitFor, io)
  const bad = results.filter((r) => r.outcome !== 'ready')
  for (const r of bad) {
    const logs = `edgefaas logs ${r.name}${r.namespace ? ` -n ${r.namespace}` : ''}`
    io.stderr.write(
      `${qualified(r)} ${r.outcome === 'timeout' ? 'is not ready' : 'failed'}: ${r.detail} (see \`${logs}\`)\n`,
    )
  }
  return bad.length
}

function waitMs(options: OptionValues): number | null {
  if (options.wait !== true) {
    if (options.timeout !== undefined) throw usageError('--timeout applies to --wait; add --wait')
    return null
  }
  return parseTimeout(str(options.timeout), DEFAULT_WAIT_MS)
}

async function confirm(io: CliIo): Promise<void> {
  if (!io.stdin.isTTY) {
    throw usageError(
      'apply changes the gateway: confirm with --yes (not run from a terminal, so it cannot ask)',
    )
  }
  io.stdout.write('Apply these changes? Only "yes" is accepted: ')
  let answer = ''
  for await (const chunk of io.stdin) {
    answer += chunk.toString()
    if (answer.includes('\n')) break
  }
  if (answer.trim() !== 'yes') throw new CliError('Apply cancelled; nothing was changed.')
}

function str(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export const stackCommands: CommandSpec[] = [
  {
    name: 'deploy',
    summary: 'deploy the functions of a stack file (PUT, then POST for new ones)',
    details:
      'Examples:\n  edgefaas deploy -f stack.yml --wait\n  edgefaas deploy --filter "api-*" --timeout 5m --wait',
    options: { ...STACK_OPTIONS, ...IMAGE_OPTIONS, ...WAIT_OPTIONS },
    run: deploy,
  },
  {
    name: 'plan',
    summary: 'show what apply would create, change and (with --prune) remove; changes nothing',
    details: `Exit code 0 whether or not there are changes; with --exit-code, ${EXIT.changes} when there are.`,
    options: {
      ...STACK_OPTIONS,
      prune: {
        type: 'boolean',
        description: 'also list functions the stack file no longer names, for removal',
      },
      json: { type: 'boolean', description: 'print the plan as JSON' },
      'exit-code': { type: 'boolean', description: `exit ${EXIT.changes} when there are changes` },
    },
    run: plan,
  },
  {
    name: 'apply',
    summary: 'make the gateway match the stack file (shows the plan, then applies it)',
    details: 'Asks before changing anything unless --yes is given (required when not run from a terminal).',
    options: {
      ...STACK_OPTIONS,
      ...WAIT_OPTIONS,
      prune: {
        type: 'boolean',
        description: 'remove functions the stack file no longer names (in its namespaces)',
      },
      yes: { type: 'boolean', short: 'y', description: 'apply without asking' },
    },
    run: apply,
  },
]
