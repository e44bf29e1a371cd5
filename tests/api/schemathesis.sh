#!/usr/bin/env bash
# The API says exactly what it accepts: schemathesis (PyPI) generates requests from the OpenAPI
# document (/api/openapi.json) and runs every check on the answers (no server error, status codes,
# content types and bodies as documented, schema-valid data accepted, invalid data refused, …),
# as an admin, for a bounded time, against `thanrak serve --demo` on a database of its own (the
# run writes: it adds users, cases, meetings). Zero failures, or the run is red.
#
# The phases are coverage (boundary and invalid values of every parameter), fuzzing and
# stateful (chains of calls following the document's links). The examples phase is left out:
# schemathesis 4.32.5 fails intermittently inside its own example generation (a hypothesis
# FlakyFailure while drawing StateBody's example, not an answer of the server), which would
# make CI red at random. One worker: with two, hypothesis's lambda-source cache, shared between
# the threads, fails at random the same way ("AST constructor recursion depth mismatch").
#
#   tests/api/schemathesis.sh                      # BIN=target/debug/thanrak, 240 s
#   MAX_TIME=60 BIN=target/release/thanrak tests/api/schemathesis.sh
#   SEED=$RANDOM tests/api/schemathesis.sh         # explore beyond CI's fixed seed
#
# CI uses a fixed seed, so that a red run is one that can be replayed; run it with other seeds
# (and longer) when changing the API, as a search for what the fixed one does not reach.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-target/debug/thanrak}
MAX_TIME=${MAX_TIME:-240}
VERSION=4.32.5
# `st` is called from the interpreter's own scripts folder: a version manager's shims (pyenv)
# may not know a command installed a moment ago.
ST="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/st"
[ -x "$ST" ] && "$ST" --version 2>/dev/null | grep -q "$VERSION" \
    || python3 -m pip install -q "schemathesis==$VERSION"
dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
db="sqlite://$dir/api.db"
export THANRAK_DEMO_PASSWORD="schemathesis-$(date +%s)"
"$BIN" --database-url "$db" serve --demo --demo-households 1000 --bind "127.0.0.1:$port" \
    >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/login" && break
    kill -0 "$server" 2>/dev/null || { cat "$dir/serve.log"; exit 1; }
    sleep 1
done
token="$("$BIN" --database-url "$db" user token admin)"
# Hypothesis's example database is kept out of the checkout.
export HYPOTHESIS_STORAGE_DIRECTORY="$dir/hypothesis"
"$ST" --config-file tests/api/schemathesis.toml run "http://127.0.0.1:$port/api/openapi.json" \
    --checks all \
    --phases coverage,fuzzing,stateful \
    --seed "${SEED:-20261130}" \
    --header "Authorization: Bearer $token" \
    --max-time "$MAX_TIME" \
    --workers 1 \
    --request-timeout 30 \
    --report junit --report-dir "${REPORT_DIR:-$dir/report}" \
    --no-color
