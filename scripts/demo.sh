#!/usr/bin/env bash
# The main job: build examples/http_headers, serve it through a local Envoy on 127.0.0.1, send one
# request and show what the filter changed; Envoy keeps serving until Ctrl-C.
#   DEMO_ONCE=1 bash scripts/demo.sh   stops Envoy after the demo request (used by the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT="${PORT:-10000}"

.venv/bin/proxy-wasm run examples/http_headers --port "$PORT" &
RUN_PID=$!
trap 'kill -INT "$RUN_PID" 2>/dev/null || true; wait "$RUN_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 240); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then break; fi
    if ! kill -0 "$RUN_PID" 2>/dev/null; then echo "proxy-wasm run failed" >&2; exit 1; fi
    sleep 0.5
done

echo
echo "== curl -i http://127.0.0.1:$PORT/hello -H 'x-user: alice'"
echo "   (the upstream echoes the request it received: see x-python-filter;"
echo "    the response carries x-powered-by, both added by examples/http_headers/filter.py)"
curl -s -i "http://127.0.0.1:$PORT/hello" -H 'x-user: alice'
echo

if [ "${DEMO_ONCE:-0}" = "1" ]; then exit 0; fi
echo "Envoy keeps serving on http://127.0.0.1:$PORT (Ctrl-C stops it)"
wait "$RUN_PID"
