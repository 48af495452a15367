#!/usr/bin/env bash
# Fuzzes the REST API from its OpenAPI document: starts the given `leads` binary on a fresh
# SQLite database, signs up and creates an API token, then runs schemathesis with its
# server-error and conformance checks. Exits non-zero on any failure.
#
#   scripts/api-fuzz.sh path/to/leads        (schemathesis's `st` must be on PATH)
#
# Environment: FUZZ_PORT (default: a free port), FUZZ_EXAMPLES (default 40), FUZZ_SEED (default 1).
set -euo pipefail

bin="${1:?usage: api-fuzz.sh path/to/leads}"
# A free port of our own: a server left over on a fixed port would answer in ours' place.
port="${FUZZ_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
base="http://127.0.0.1:$port"
data="$(mktemp -d "${TMPDIR:-/tmp}/leads-fuzz.XXXXXX")"
# DATABASE_URL is dropped: test.sh exports one for PostgreSQL, and a database kept between
# runs would already hold the sign-up below.
env -u DATABASE_URL LEADS_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn "$bin" >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

fail() {
  echo "api-fuzz.sh: $1" >&2
  echo "--- server log" >&2
  cat "$data/server.log" >&2
  exit 1
}

for _ in $(seq 1 100); do
  kill -0 "$server" 2>/dev/null || fail "the server exited before answering"
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
kill -0 "$server" 2>/dev/null || fail "the server exited before answering"

status="$(curl -s -o "$data/signup.json" -w '%{http_code}' -c "$data/cookies" \
  -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.com","password":"fuzz-password","workspaceName":"Fuzz"}' \
  "$base/api/v1/auth/signup")"
[[ $status == 201 ]] || fail "sign-up answered $status: $(cat "$data/signup.json")"
token="$(curl -fs -b "$data/cookies" -H 'content-type: application/json' -H "Origin: $base" \
  -d '{"name":"fuzz"}' "$base/api/v1/tokens" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"

# Signing out would end the token's own session-less life for nothing: skip that operation.
st run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /api/v1/auth/logout \
  --max-examples "${FUZZ_EXAMPLES:-40}" \
  --seed "${FUZZ_SEED:-1}" \
  --no-color
