/**
 * Prints the closing line CI reads, `N passed, N failed`, from vitest's JSON report plus the static checks.
 * A run whose report is missing or holds no test counts as failed: a suite that silently ran nothing
 * must not look green.
 */
import { readFileSync } from 'node:fs'

const [reportPath, checksPassed = '0', checksFailed = '0'] = process.argv.slice(2)
let passed = Number(checksPassed)
let failed = Number(checksFailed)
let skipped = 0
try {
  const report = JSON.parse(readFileSync(reportPath ?? '', 'utf8')) as {
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    numTotalTests: number
    numFailedTestSuites: number
  }
  passed += report.numPassedTests
  failed += report.numFailedTests + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? 1 : 0)
  skipped += report.numPendingTests + report.numTodoTests
  if (report.numTotalTests === 0) failed += 1
} catch {
  failed += 1
}
console.log(
  skipped > 0
    ? `${passed} passed, ${failed} failed, ${skipped} skipped`
    : `${passed} passed, ${failed} failed`,
)
process.exit(failed > 0 ? 1 : 0)
