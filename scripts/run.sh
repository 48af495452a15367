#!/usr/bin/env bash
# Build leads in release mode and run it from the repository root.
# With DATABASE_URL unset the server keeps its data in ./data/leads.db (SQLite)
# and prints its URL and a demo login. Extra arguments go to the binary.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# shellcheck source=scripts/bootstrap.sh
source "$REPO/scripts/bootstrap.sh"

if [[ -n "${LEADS_TARGET_DIR:-}" ]]; then
  export CARGO_TARGET_DIR="$LEADS_TARGET_DIR"
fi
target_dir="${CARGO_TARGET_DIR:-$REPO/target}"

bin="$target_dir/release/leads"
# Rebuilding always rewrites the site files and relinks the server: skip it when no input is
# newer than the binary.
newer_input() {
  find app server frontend migration style public Cargo.toml Cargo.lock rust-toolchain.toml \
    -newer "$bin" -not -path '*/node_modules/*' -print -quit 2>/dev/null
}
if [[ -x "$bin" && -z "$(newer_input)" ]]; then
  echo "==> $bin is up to date"
else
  echo "==> scripts/build-release.sh (toolchain ${RUSTUP_TOOLCHAIN:-default})"
  bash "$REPO/scripts/build-release.sh"
fi

# The demo workspace (with its published password) is for this local run only.
LEADS_SEED_DEMO="${LEADS_SEED_DEMO:-1}" exec "$bin" "$@"
