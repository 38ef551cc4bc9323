#!/usr/bin/env bash
# Starts dist/portico on a free port with a fresh data dir, expects /healthz 200, stops it cleanly.
set -euo pipefail
data=$(mktemp -d)
port=$(bun -e 'const s = Bun.serve({ port: 0, fetch: () => new Response() }); console.log(s.port); s.stop()' 2>/dev/null || node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
log="$data/server.log"
./dist/portico serve --port "$port" --data-dir "$data" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz"
echo
kill -TERM "$pid"
wait "$pid"
echo "binary smoke test passed (exit clean, data in $data)"
