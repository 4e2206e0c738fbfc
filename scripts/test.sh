#!/usr/bin/env bash
# `npm test`: typecheck (Node and Workers configs), lint, then every test in one vitest run (Node-side and
# inside workerd). Ends with the plain line "N passed, N failed" that CI reads; the three static checks
# count as one test each.
set -uo pipefail
cd "$(dirname "$0")/.."

check_passed=0
check_failed=0
run_check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then check_passed=$((check_passed + 1)); else check_failed=$((check_failed + 1)); echo "!! $name failed"; fi
}
run_check "typecheck (node)" npx tsc --noEmit -p tsconfig.json
run_check "typecheck (workers)" npx tsc --noEmit -p tsconfig.workers.json
run_check "lint" npx biome check .
run_check "workers bundle (wrangler deploy --dry-run)" bash scripts/workers-bundle.sh

report=$(mktemp)
trap 'rm -f "$report"' EXIT
echo "== tests"
# A hard stop well inside CI's 90 minutes: a test that leaks a process must not keep the run open forever.
timeout --kill-after=30 2400 npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
vitest_status=$?

node scripts/test-summary.ts "$report" "$check_passed" "$check_failed"
summary_status=$?
[ "$vitest_status" -eq 0 ] && [ "$check_failed" -eq 0 ] && [ "$summary_status" -eq 0 ]
