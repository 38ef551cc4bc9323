#!/usr/bin/env bash
# Smoke-tests dist/portico: (1) `serve` on a free port with a fresh data dir: /healthz 200, clean stop;
# (2) `demo --port 0` on another fresh data dir: prints its URLs and serves them (a script tool runs
# through an API key the binary's CLI made), clean stop.
set -euo pipefail

wait_for() { # wait_for FILE REGEX — up to 10 s for a line matching REGEX to appear in FILE
  for _ in $(seq 1 100); do
    if grep -Eq "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for /$2/ in $1:"; cat "$1"; return 1
}

stop() { # stop PID — SIGTERM, expect exit 0
  kill -TERM "$1"
  wait "$1"
}

echo "-- serve"
data=$(mktemp -d)
port=$(bun -e 'const s = Bun.serve({ port: 0, fetch: () => new Response() }); console.log(s.port); s.stop()' 2>/dev/null || node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
log="$data/server.log"
./dist/portico serve --port "$port" --data-dir "$data" >"$log" 2>&1 &
pid=$!
wait_for "$log" "setup\?token="
curl -fsS "http://127.0.0.1:$port/healthz"
echo
stop "$pid"
echo "serve: /healthz ok, setup link printed, clean exit"

echo "-- demo"
demo_data=$(mktemp -d)
demo_log="$demo_data/demo.log"
./dist/portico demo --port 0 --data-dir "$demo_data" --log-level warn >"$demo_log" 2>&1 &
pid=$!
wait_for "$demo_log" "draft: +http"
base=$(grep -Eo 'running at http://[^ ]+' "$demo_log" | awk '{print $3}')
production=$(grep -Eo 'production: http://[^ ]+' "$demo_log" | awk '{print $2}')
draft=$(grep -Eo 'draft: +http://[^ ]+' "$demo_log" | awk '{print $2}')
grep -q "owner@demo.example.com" "$demo_log"
curl -fsS "$base/healthz" >/dev/null
curl -fsS -o /dev/null "$base/login"
for url in "$production" "$draft"; do
  # A private project answers an MCP request without a token with 401 and the resource metadata URL.
  headers=$(curl -sS -o /dev/null -D - -X POST -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d '{}' "$url")
  echo "$headers" | head -1 | grep -q " 401" || { echo "expected 401 from $url"; echo "$headers"; exit 1; }
  echo "$headers" | grep -qi "www-authenticate: Bearer resource_metadata=" || { echo "no WWW-Authenticate from $url"; exit 1; }
done
# The binary's CLI works on the data dir the demo serves: make a key, call the sandboxed script tool.
key=$(./dist/portico apikey create --project demo/playground --email owner@demo.example.com --name smoke --json --data-dir "$demo_data" | grep -o 'prt_[^"]*')
reply=$(curl -sS -X POST -H "authorization: Bearer $key" -H 'content-type: application/json' \
  -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-11-25' \
  -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"word_stats","arguments":{"text":"a bb ccc"}}}' "$production")
echo "$reply" | grep -q '"structuredContent":{"words":3,"characters":8,"longest":"ccc"}' || { echo "word_stats failed:"; echo "$reply"; exit 1; }
stop "$pid"
echo "demo: $base serves $production and $draft, clean exit"
echo "binary smoke test passed"
