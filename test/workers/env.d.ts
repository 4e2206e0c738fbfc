import type { D1Migration } from '@cloudflare/vitest-plugin'

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database
      CALLS: Queue
      TEST_MIGRATIONS: D1Migration[]
      EDGEFAAS_ADMIN_PASSWORD: string
    }
  }
}
