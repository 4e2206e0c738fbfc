/**
 * @module
 * The provider conformance suite on the local provider: without a sandbox, and in bubblewrap when it
 * works here.
 */

import { afterAll } from 'vitest'
import { runProviderSuite } from '../conformance/provider.suite.ts'
import { bwrapWorks, localDeployable, localProvider, removeDataDirs } from './local-helpers.ts'

runProviderSuite('local (no sandbox)', {
  create: async () => localProvider('none'),
  deployable: localDeployable,
})

if (bwrapWorks) {
  runProviderSuite('local (bubblewrap)', {
    create: async () => localProvider('bwrap'),
    deployable: localDeployable,
  })
}

afterAll(removeDataDirs)
