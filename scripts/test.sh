#!/usr/bin/env bash
# Runs every test suite of leads:
#   1. Rust tests against SQLite   (LEADS_TEST_BACKEND=sqlite)
#   2. Rust tests against Postgres (LEADS_TEST_BACKEND=postgres, LEADS_TEST_DATABASE_URL)
#   3. release build + Playwright end-to-end tests in Debian's Chromium
#   4. the OpenAPI fuzzer (schemathesis) against the release binary
#
# Environment:
#   DATABASE_URL      Postgres for pass 2 (default postgres://postgres@127.0.0.1:5432/test)
#   CI=true           Postgres is required (started if down); outside CI it is skipped if down
#   LEADS_TARGET_DIR  cargo target dir (default ./target)
#   E2E_PORT          port of the server under end-to-end test (default 3199)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
t_start=$SECONDS

# shellcheck source=scripts/bootstrap.sh
source "$REPO/scripts/bootstrap.sh" --for-tests

if [[ -n "${LEADS_TARGET_DIR:-}" ]]; then
  export CARGO_TARGET_DIR="$LEADS_TARGET_DIR"
fi
target_dir="${CARGO_TARGET_DIR:-$REPO/target}"
[[ $target_dir == /* ]] || target_dir="$REPO/$target_dir"
# The end-to-end config starts this binary.
export LEADS_BIN="$target_dir/release/leads"

in_ci=0
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && in_ci=1

logs="$(mktemp -d "${TMPDIR:-/tmp}/leads-test.XXXXXX")"
trap 'rm -rf "$logs"' EXIT

# ------------------------------------------------------------------ Postgres
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

pg_reachable() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 3 -d "$DATABASE_URL"
  else
    # host[:port] out of postgres://user:pass@host:port/db?params
    local rest authority hostport host port
    rest="${DATABASE_URL#*://}"
    authority="${rest%%[/?]*}"
    hostport="${authority##*@}"
    host="${hostport%:*}"
    port=5432
    [[ $hostport == *:* ]] && port="${hostport##*:}"
    [[ -n $host ]] || host=127.0.0.1
    timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
  fi
}

run_pg=1
if ! pg_reachable; then
  if [[ $in_ci -eq 1 ]] && command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
    echo "==> starting PostgreSQL"
    for v in /etc/postgresql/*/; do
      v="$(basename "$v")"
      pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    done
    for _ in $(seq 1 30); do
      pg_reachable && break
      sleep 1
    done
  fi
  if ! pg_reachable; then
    if [[ $in_ci -eq 1 ]]; then
      echo "test.sh: ERROR: PostgreSQL at $DATABASE_URL is not reachable (CI requires it)" >&2
      exit 1
    fi
    echo "test.sh: WARNING: PostgreSQL at $DATABASE_URL is not reachable: SKIPPING the postgres pass" >&2
    run_pg=0
  fi
fi

# ------------------------------------------------------------------ suites
results=()
failed=0

# run_suite NAME CMD...: runs CMD with its output teed to a log; records the outcome.
run_suite() {
  local name="$1" t0=$SECONDS rc=0
  shift
  echo
  echo "==> [$name] $*"
  "$@" 2>&1 | tee "$logs/$name.log" || rc=$?
  if [[ $rc -eq 0 ]]; then
    results+=("PASS  $name ($((SECONDS - t0)) s)")
  else
    results+=("FAIL  $name (exit $rc, $((SECONDS - t0)) s)")
    failed=1
  fi
  return $rc
}

run_suite rust-sqlite \
  env LEADS_TEST_BACKEND=sqlite \
  cargo test --workspace --exclude frontend || true

if [[ $run_pg -eq 1 ]]; then
  run_suite rust-postgres \
    env LEADS_TEST_BACKEND=postgres LEADS_TEST_DATABASE_URL="$DATABASE_URL" \
    cargo test --workspace --exclude frontend || true
else
  results+=("SKIP  rust-postgres (PostgreSQL not reachable)")
fi

if run_suite release-build bash scripts/build-release.sh; then
  if [[ -x "$LEADS_BIN" ]]; then
    run_suite e2e bash -c 'cd end2end && npx --no-install playwright test' || true
    run_suite api-fuzz bash scripts/api-fuzz.sh "$LEADS_BIN" || true
  else
    results+=("FAIL  e2e ($LEADS_BIN was not built)")
    failed=1
  fi
else
  results+=("SKIP  e2e (release build failed)")
fi

# ------------------------------------------------------------------ summary
# Count individual tests from cargo's "test result:" lines and Playwright's totals.
passed=0
nfailed=0
shopt -s nullglob
for f in "$logs"/rust-*.log; do
  while read -r p fl; do
    passed=$((passed + p))
    nfailed=$((nfailed + fl))
  done < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed;.*/\1 \2/p' "$f")
done
if [[ -f "$logs/e2e.log" ]]; then
  p="$(sed -n 's/^ *\([0-9][0-9]*\) passed.*/\1/p' "$logs/e2e.log" | tail -n1)"
  fl="$(sed -n 's/^ *\([0-9][0-9]*\) failed.*/\1/p' "$logs/e2e.log" | tail -n1)"
  fk="$(sed -n 's/^ *\([0-9][0-9]*\) flaky.*/\1/p' "$logs/e2e.log" | tail -n1)"
  passed=$((passed + ${p:-0} + ${fk:-0}))
  nfailed=$((nfailed + ${fl:-0}))
fi
# The API fuzzer counts as one test: its thousands of generated cases are one check.
if [[ -f "$logs/api-fuzz.log" ]]; then
  if printf '%s\n' "${results[@]}" | grep -q '^PASS  api-fuzz'; then
    passed=$((passed + 1))
  else
    nfailed=$((nfailed + 1))
  fi
fi

echo
echo "==> summary ($((SECONDS - t_start)) s, toolchain ${RUSTUP_TOOLCHAIN:-default})"
printf '    %s\n' "${results[@]}"
if [[ $failed -ne 0 ]]; then
  # A suite that failed without a counted test failure (e.g. a build error) counts as one.
  [[ $nfailed -gt 0 ]] || nfailed=1
  echo "test.sh: SOME SUITES FAILED"
  echo "test.sh: $passed passed, $nfailed failed"
  exit 1
fi
if [[ $run_pg -eq 1 ]]; then
  echo "test.sh: all suites passed"
else
  echo "test.sh: all suites passed (postgres pass skipped)"
fi
echo "test.sh: $passed passed, $nfailed failed"
