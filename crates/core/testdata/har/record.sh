#!/usr/bin/env bash
# Re-records chromium-playwright.har and chromium-devtools.har (see README.md):
# the companion server on 127.0.0.1:18570, the page (python3 -m http.server)
# on 127.0.0.1:18571, then record.mjs drives the system Chromium through
# playwright-core (`.ci/setup har` installs it into .tools/). Both servers are
# stopped by PID when it ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
cd "$root"
source .ci/env
SERVER_PORT=${SERVER_PORT:-18570}
PAGE_PORT=${PAGE_PORT:-18571}
work=$(mktemp -d)
server_pid= page_pid=
cleanup() {
  for pid in $page_pid $server_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --locked -q -p corslab-server
target/debug/corslab-server --bind 127.0.0.1 --port "$SERVER_PORT" >"$work/server.log" 2>&1 &
server_pid=$!
printf '<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href="data:,"><title>CORS Lab HAR</title></head><body>HAR recording page</body></html>\n' >"$work/index.html"
python3 -m http.server "$PAGE_PORT" --bind 127.0.0.1 --directory "$work" >"$work/page.log" 2>&1 &
page_pid=$!
wait_for_port "$SERVER_PORT" "$server_pid" "$work/server.log"
wait_for_port "$PAGE_PORT" "$page_pid" "$work/page.log"

node "$here/record.mjs" --server "http://localhost:$SERVER_PORT" --page "http://localhost:$PAGE_PORT" \
  --scenarios "$root/crates/core/testdata/scenarios/recorded.json" --out "$here" --tools "$root/.tools"
