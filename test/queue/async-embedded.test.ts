// Async scenarios on the embedded queue (a table in the gateway's SQLite store).
import { runAsyncScenarios } from './async-scenarios.ts'

runAsyncScenarios('embedded queue', async () => ({ env: {}, stop: async () => {} }))
