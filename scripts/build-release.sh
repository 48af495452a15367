#!/usr/bin/env bash
# The release build: the site in target/site (WASM, JS, CSS, icons, each with brotli and gzip
# copies) and target/release/leads, the binary that embeds it.
#
# cargo-leptos alone (`cargo leptos build --release --precompress --split`) makes the site first
# and compiles the server after it, since the binary embeds the finished site; on 2 cores one sits
# idle for most of the site's build (whole-program LTO runs on one). Here the server library and
# everything it depends on compile beside the site, and only the small `leads` crate
# (server/leads) waits for the site.
#
# Expects the tools of scripts/bootstrap.sh on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Each build's lines carry its name, as the two interleave.
label() { sed -u "s/^/[$1] /"; }

# Brotli and gzip copies of every file, for the server to send to browsers that take them.
# cargo-leptos's own (`--precompress`) compresses one file at a time and its gzip comes out
# 17% larger than `gzip -9`.
compress_site() {
  find target/site -type f ! -name '*.br' ! -name '*.gz' -print0 |
    xargs -0 -n 4 -P "$(nproc)" sh -c 'set -e; for f; do brotli -q 11 -f -k "$f"; gzip -9 -n -f -k "$f"; done' sh
}

# The arguments cargo-leptos gave wasm-opt (scripts/wasm-opt-later/wasm-opt).
export LEADS_WASM_OPT_ARGS="$PWD/target/wasm-opt-args"

# Every WASM file with those options, split by size into one list per core (largest first,
# dealt out in turn).
optimise_wasm() {
  local cores files=() i j
  cores="$(nproc)"
  mapfile -t files < <(find target/site/pkg -name '*.wasm' -printf '%s %p\n' | sort -rn | cut -d' ' -f2-)
  for ((i = 0; i < cores; i++)); do
    local share=()
    for ((j = i; j < ${#files[@]}; j += cores)); do share+=("${files[j]}"); done
    [[ ${#share[@]} -eq 0 ]] || node scripts/wasm-opt.mjs "$LEADS_WASM_OPT_ARGS" "${share[@]}" &
  done
  wait_all
}

# Waits for every background job of the calling shell; fails if any failed.
wait_all() {
  local pid rc=0
  for pid in $(jobs -p); do wait "$pid" || rc=1; done
  return $rc
}

(
  set -o pipefail
  rm -f "$LEADS_WASM_OPT_ARGS"
  PATH="$PWD/scripts/wasm-opt-later:$PATH" \
    cargo leptos build --release --split --frontend-only 2>&1 | label site
  optimise_wasm
  compress_site
) &
site=$!

# With what cargo-leptos gives the binary's build that reaches the compiler, so that its build
# then finds these crates fresh: the `erase_components` flag (`always-erase-components`) and the
# output name, which the framework reads at compile time.
server_rc=0
(
  set -o pipefail
  env -u LEPTOS_WATCH LEPTOS_OUTPUT_NAME=leads \
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components" \
    cargo build --release --package=server --lib 2>&1 | label server
) || server_rc=$?

site_rc=0
wait "$site" || site_rc=$?
if [[ $site_rc -ne 0 ]]; then
  echo "build-release.sh: the site's build failed" >&2
  exit 1
fi
if [[ $server_rc -ne 0 ]]; then
  echo "build-release.sh: the server's build failed" >&2
  exit 1
fi

cargo leptos build --release --split --server-only
