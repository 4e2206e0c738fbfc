/**
 * @module
 * `npm start`: the gateway on Node, in the foreground (the same as `edgefaas serve`).
 */
import { runNode } from './run.ts'

runNode('serve').catch((error: unknown) => {
  console.error('edgefaas failed to start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
