/**
 * @module
 * The provider conformance suite on the local provider: without a sandbox, in bubblewrap when it works
 * here, and as separate users when the tests run as root.
 */

import { afterAll } from 'vitest'
import { runProviderSuite } from '../conformance/provider.suite.ts'
import { bwrapWorks, localDeployable, localProvider, removeDataDirs, setprivWorks } from './local-helpers.ts'

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

if (setprivWorks) {
  runProviderSuite('local (separate users)', {
    create: async () => localProvider('user'),
    deployable: localDeployable,
  })
}

afterAll(removeDataDirs)
