#!/usr/bin/env bash
# Starts the Worker with `wrangler dev` (real workerd, local D1/Queues/Durable Objects in a temporary
# folder, migrations applied), checks that it serves /healthz and /metrics, and stops it. What the
# vitest pool cannot catch: code workerd refuses at module load (random values, timers or I/O in global
# scope), which stops a real deploy from starting at all. Needs no account or network.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    # wrangler shuts workerd down on SIGTERM; give it a few seconds, then make sure.
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
export WRANGLER_SEND_METRICS=false
npx wrangler d1 migrations apply edgefaas --local --persist-to "$dir/state" >"$dir/migrate.log" 2>&1 || {
  cat "$dir/migrate.log"
  exit 1
}
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
password=start-check-password
# Its own process group, so cleanup ends wrangler and the workerd it starts.
setsid npx wrangler dev --ip 127.0.0.1 --port "$port" --persist-to "$dir/state" \
  --var "EDGEFAAS_ADMIN_PASSWORD:$password" >"$dir/dev.log" 2>&1 &
pid=$!
health=000
for _ in $(seq 1 120); do
  health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
  [ "$health" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
metrics=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "http://127.0.0.1:$port/metrics" || true)
echo "workers start (wrangler dev): /healthz $health, /metrics $metrics"
if [ "$health" != 200 ] || [ "$metrics" != 200 ]; then
  grep -v ENOTFOUND "$dir/dev.log" | tail -40
  exit 1
fi
