#!/usr/bin/env bash
# Builds the Worker as `wrangler deploy` would, without uploading (`--dry-run`), and checks its size
# against Cloudflare's limit for the Free plan (3 MiB gzipped; Paid allows 10 MiB). Prints the sizes that
# docs/performance.md records, then starts the Worker with `wrangler dev` (scripts/workers-start.sh). Needs no
# account or network.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
WRANGLER_SEND_METRICS=false npx wrangler deploy --dry-run --outdir "$out" >"$out/log" 2>&1 || {
  cat "$out/log"
  exit 1
}
grep -E 'Total Upload' "$out/log"
raw=$(stat -c %s "$out/index.js")
gz=$(gzip -9 -c "$out/index.js" | wc -c)
echo "workers bundle: ${raw} bytes, ${gz} bytes gzipped (limit 3145728 gzipped on the Free plan)"
[ "$gz" -le 3145728 ] || { echo "!! the Worker bundle is over 3 MiB gzipped"; exit 1; }
# The bundle must also start: workerd refuses some code at module load that the vitest pool accepts.
bash scripts/workers-start.sh
