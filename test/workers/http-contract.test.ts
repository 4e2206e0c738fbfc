// The HTTP contract suite inside workerd, through the Worker's own fetch handler over D1.
import { SELF } from 'cloudflare:test'
import { runHttpContractSuite } from '../conformance/http-contract.suite.ts'

runHttpContractSuite('workerd', async () => ({
  fetch: (path, init) => SELF.fetch(`http://gateway.test${path}`, init),
  credentials: { user: 'admin', password: 'workerd-test-password' },
  runsFunctions: false,
}))
