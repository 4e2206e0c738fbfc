/**
 * @module
 * The command table of `edgefaas`, in the order the help lists it.
 */
import type { CommandSpec } from '../command-table.ts'
import { backendCommands } from './backends.ts'
import { callCommands } from './calls.ts'
import { domainCommands } from './domains.ts'
import { functionCommands } from './functions.ts'
import { invokeCommands } from './invoke.ts'
import { loginCommands } from './login.ts'
import { logCommands } from './logs.ts'
import { namespaceCommands } from './namespaces.ts'
import { secretCommands } from './secrets.ts'
import { serverCommands } from './server.ts'
import { stackCommands } from './stack.ts'
import { tokenCommands } from './tokens.ts'

export const COMMANDS: CommandSpec[] = [
  ...serverCommands,
  ...loginCommands,
  ...tokenCommands,
  ...stackCommands,
  ...functionCommands,
  ...invokeCommands,
  ...logCommands,
  ...secretCommands,
  ...namespaceCommands,
  ...backendCommands,
  ...domainCommands,
  ...callCommands,
]
