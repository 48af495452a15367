#!/usr/bin/env bash
# Create throughput from outside the process: the release server alone, a load generator (wrk)
# creating contacts through the REST API with a token, and beside it the same statements the
# server sends, straight to PostgreSQL (pgbench), on the same machine.
#
#   scripts/load-create.sh [runs]          (default 3 runs of 20 s, 16 connections)
#
# Knobs: LEADS_BIN (target/release/leads), LOAD_DATABASE_URL
# (postgres://postgres@127.0.0.1:5432/leads_load: dropped and created afresh), LOAD_SECONDS (20),
# LOAD_CONNECTIONS (16). Installs Debian's wrk when it is missing. "failed" counts answers other
# than 201 (none is expected: every request has an email of its own).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs="${1:-3}"
bin="${LEADS_BIN:-target/release/leads}"
url="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/leads_load}"
seconds="${LOAD_SECONDS:-20}"
connections="${LOAD_CONNECTIONS:-16}"
port=3977
base="http://127.0.0.1:$port"

[[ -x $bin ]] || { echo "load-create.sh: $bin not found; build it with scripts/build-release.sh" >&2; exit 1; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing Debian's wrk"
  as_root=(); [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  # A new machine has no package lists yet.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
command -v pgbench >/dev/null 2>&1 || { echo "load-create.sh: pgbench not found (PostgreSQL's client tools)" >&2; exit 1; }

admin_url="${url%/*}/postgres"
name="${url##*/}"
PGOPTIONS='-c client_min_messages=warning' psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"

log="$(mktemp)"
jar="$(mktemp)"
DATABASE_URL="$url" LEADS_SEED_DEMO=1 LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn "$bin" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log" "$jar"' EXIT
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done
curl -fs "$base/readyz" >/dev/null || { echo "load-create.sh: the server did not start:" >&2; cat "$log" >&2; exit 1; }

# The demo workspace's owner signs in and makes a token for the run.
json=(-H 'Content-Type: application/json' -H "Origin: $base")
curl -fs -c "$jar" "${json[@]}" -d '{"email":"demo@example.com","password":"demo-password"}' \
  "$base/api/v1/auth/login" >/dev/null
TOKEN="$(curl -fs -b "$jar" "${json[@]}" -d '{"name":"load","scope":"write"}' "$base/api/v1/tokens" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
export TOKEN
tenant="$(psql -qtA "$url" -c "SELECT id FROM tenants LIMIT 1")"

echo "create, $connections connections, $seconds s a run; the server's RSS after each run"
wrk -t2 -c"$connections" -d5s -s scripts/load/create.lua "$base" >/dev/null # warm-up
for run in $(seq "$runs"); do
  out="$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s scripts/load/create.lua "$base")"
  rate="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  failed="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  printf '  http run %d: %8.0f/s  p50 %s  p99 %s  failed %s  rss %s MB\n' "$run" "$rate" "$p50" "$p99" \
    "${failed:-0}" "$(($(ps -o rss= -p $server) / 1024))"
done
# pgbench's rate for a script; a failing statement stops the run (pgbench aborts, exit 2).
pgbench_rate() {
  local out
  if ! out="$(pgbench -n -c"$connections" -j2 -T"$seconds" -D tenant="$tenant" -f "$1" "$url" 2>&1)" ||
    ! grep -q '^number of failed transactions: 0 ' <<<"$out"; then
    echo "load-create.sh: pgbench $1 failed:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/^tps/ {print $3}' <<<"$out"
}
for run in $(seq "$runs"); do
  rate="$(pgbench_rate scripts/load/create.sql)"
  printf '  sql  run %d: %8.0f/s  (pgbench: the same statement)\n' "$run" "$rate"
done
rate="$(pgbench_rate scripts/load/create-transaction.sql)"
printf '  as a transaction: %8.0f/s  (pgbench, one run: BEGIN, SETs, INSERT, COMMIT)\n' "$rate"
rate="$(pgbench_rate scripts/load/insert-alone.sql)"
printf '  the INSERT alone: %8.0f/s  (pgbench, one run: no transaction, role, workspace or history)\n' "$rate"
