#!/usr/bin/env bash
# Installs everything needed to build (and, with --for-tests, to test) leads:
#   1. the pinned Rust toolchain with the wasm32 target (rustup; Debian fallback)
#   2. the wasm-bindgen CLI matching Cargo.lock
#   3. cargo-leptos 0.3.11
#   4. Debian's brotli
#   5. end2end/ npm packages (wasm-opt from binaryen, Playwright)
#   6. (--for-tests) Debian's Chromium
#   7. (--for-tests) schemathesis, the OpenAPI fuzzer (a Python venv in the user's cache)
#
# Idempotent: each step is skipped when its result is already present. Steps 4 to 7 run in
# the background while steps 2 and 3 compile.
# Meant to be sourced (`source scripts/bootstrap.sh [--for-tests]`) so that the
# exported PATH and RUSTUP_TOOLCHAIN reach the caller; it can also be executed
# on its own to just install things.
#
# Environment knobs:
#   LEADS_FORCE_DEBIAN_RUST=1  use Debian's rustc-web 1.96 instead of rustup's 1.96.0
set -euo pipefail

_leads_bootstrap() {
  local for_tests=0 arg
  for arg in "$@"; do
    case "$arg" in
      --for-tests) for_tests=1 ;;
      -h | --help)
        sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        return 0
        ;;
      *)
        echo "bootstrap.sh: unknown argument: $arg" >&2
        return 2
        ;;
    esac
  done

  local repo
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

  local rust_channel="1.96.0"
  local cargo_leptos_version="0.3.11"
  local debian_toolchain="debian-web"

  _say() { echo "==> $*"; }
  _die() {
    echo "bootstrap.sh: error: $*" >&2
    return 1
  }
  _as_root() {
    if [[ $(id -u) -eq 0 ]]; then
      "$@"
    elif command -v sudo >/dev/null 2>&1; then
      sudo "$@"
    else
      _die "need root for: $*"
    fi
  }
  _apt_updated=0
  _apt_install() {
    if [[ $_apt_updated -eq 0 ]]; then
      _as_root env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get update -qq
      _apt_updated=1
    fi
    _as_root env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq "$@" >/dev/null
  }
  _deb_installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
  }
  # Prepend a directory to PATH unless it is already there.
  _path_prepend() {
    case ":$PATH:" in
      *":$1:"*) ;;
      *) export PATH="$1:$PATH" ;;
    esac
  }

  _path_prepend "${CARGO_HOME:-$HOME/.cargo}/bin"

  # ---------------------------------------------------------------- 1. Rust
  _rustup_toolchain_ok() {
    local targets
    rustup run "$rust_channel" rustc --version >/dev/null 2>&1 || return 1
    targets="$(rustup +"$rust_channel" target list --installed 2>/dev/null)" || return 1
    grep -qx 'wasm32-unknown-unknown' <<<"$targets"
  }

  _debian_rust() {
    local pkgs=(rustc-web cargo-web rust-web-src lld-22) missing=() p
    for p in "${pkgs[@]}"; do
      _deb_installed "$p" || missing+=("$p")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
      _say "installing Debian's Rust (${missing[*]})"
      _apt_install "${missing[@]}" || _die "apt-get install ${missing[*]} failed" || return 1
    fi
    [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] || _die "/usr/bin/rustc or /usr/bin/cargo missing after installing rustc-web/cargo-web" || return 1

    # std for wasm32, built once from Debian's own std source (rust-web-src).
    local libdir=/usr/lib/rustlib/wasm32-unknown-unknown/lib
    local stamp=/usr/lib/rustlib/wasm32-unknown-unknown/leads-std.stamp
    local want
    want="$(/usr/bin/rustc -vV)"
    if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]] || ! compgen -G "$libdir/libstd-*.rlib" >/dev/null; then
      _say "building std for wasm32-unknown-unknown with /usr/bin/rustc (once)"
      local tmp
      tmp="$(mktemp -d)"
      mkdir -p "$tmp/src"
      cat >"$tmp/Cargo.toml" <<'TOML'
[package]
name = "leads_wasm_std_probe"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]
path = "src/lib.rs"

[workspace]
TOML
      echo '#[no_mangle] pub extern "C" fn leads_probe() -> u32 { 42 }' >"$tmp/src/lib.rs"
      if ! (
        cd "$tmp" &&
          env -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET \
            RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
            RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
            /usr/bin/cargo build --quiet \
            -Zbuild-std=std,panic_abort,panic_unwind \
            --target wasm32-unknown-unknown --release
      ); then
        rm -rf "$tmp"
        _die "building std for wasm32 with Debian's rustc failed"
        return 1
      fi
      local deps="$tmp/target/wasm32-unknown-unknown/release/deps" f
      _as_root mkdir -p "$libdir" || return 1
      _as_root find "$libdir" -maxdepth 1 -name 'lib*.rlib' -delete || return 1
      for f in "$deps"/lib*.rlib; do
        case "$(basename "$f")" in
          libleads_wasm_std_probe*) ;;
          *) _as_root cp "$f" "$libdir/" || return 1 ;;
        esac
      done
      printf '%s\n' "$want" | _as_root tee "$stamp" >/dev/null || return 1
      rm -rf "$tmp"
    fi

    if command -v rustup >/dev/null 2>&1; then
      if ! rustup toolchain list 2>/dev/null | grep -q "^$debian_toolchain\b"; then
        _say "linking /usr as rustup toolchain '$debian_toolchain'"
        rustup toolchain link "$debian_toolchain" /usr || _die "rustup toolchain link $debian_toolchain /usr failed" || return 1
      fi
      export RUSTUP_TOOLCHAIN="$debian_toolchain"
    else
      # No rustup at all: use Debian's binaries directly.
      unset RUSTUP_TOOLCHAIN
      export PATH="/usr/bin:$PATH"
    fi
  }

  # (_debian_rust is called outside any `||`/`if` so that `set -e` stays in force in it.)
  if [[ "${LEADS_FORCE_DEBIAN_RUST:-0}" == "1" ]]; then
    _debian_rust
  elif ! command -v rustup >/dev/null 2>&1; then
    echo "bootstrap.sh: rustup not found; using Debian's Rust" >&2
    _debian_rust
  else
    if ! _rustup_toolchain_ok; then
      _say "installing Rust $rust_channel with wasm32-unknown-unknown (rustup)"
      if ! rustup toolchain install "$rust_channel" --no-self-update --profile minimal \
        --target wasm32-unknown-unknown --component rustfmt,clippy ||
        ! _rustup_toolchain_ok; then
        echo "bootstrap.sh: rustup could not provide Rust $rust_channel; falling back to Debian's rustc-web" >&2
        _debian_rust
      fi
    fi
    if [[ "${RUSTUP_TOOLCHAIN:-}" != "$debian_toolchain" ]]; then
      export RUSTUP_TOOLCHAIN="$rust_channel"
      # rustfmt/clippy are nice to have; never fail the bootstrap over them.
      local comps
      comps="$(rustup +"$rust_channel" component list --installed 2>/dev/null || true)"
      if ! grep -q '^rustfmt' <<<"$comps" || ! grep -q '^clippy' <<<"$comps"; then
        _say "adding rustfmt and clippy to Rust $rust_channel"
        rustup component add --toolchain "$rust_channel" rustfmt clippy ||
          echo "bootstrap.sh: warning: could not add rustfmt/clippy" >&2
      fi
    fi
  fi

  # Steps 4 to 7 download more than they compute, so they run in the background while steps 2
  # and 3 compile; the paths they install to are known up front.
  local e2e="$repo/end2end"
  local st_version="4.32.5"
  local st_venv="${XDG_CACHE_HOME:-$HOME/.cache}/leads/schemathesis-$st_version"
  _install_the_rest() {
    # ------------------------------------------------------------ 4. brotli
    # The release build compresses the site with it (scripts/build-release.sh).
    if ! command -v brotli >/dev/null 2>&1; then
      _say "installing Debian's brotli"
      _apt_install brotli || _die "apt-get install brotli failed" || return 1
    fi

    # ---------------------------------------- 5. npm packages (wasm-opt etc.)
    command -v npm >/dev/null 2>&1 || _die "npm not found (Node.js 20 is expected on this machine)" || return 1
    if [[ ! -d "$e2e/node_modules" || "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]]; then
      _say "npm ci in end2end/"
      (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
        _die "npm ci in end2end/ failed" || return 1
    fi

    # ------------------------------------------------------- 6. browser
    if [[ $for_tests -eq 1 && ! -x /usr/bin/chromium ]]; then
      _say "installing Debian's chromium"
      _apt_install chromium || _die "apt-get install chromium failed" || return 1
    fi

    # ------------------------------------------------------- 7. API fuzzer
    if [[ $for_tests -eq 1 ]]; then
      if [[ ! -x "$st_venv/bin/st" ]]; then
        _say "installing schemathesis $st_version (Python venv in $st_venv)"
        command -v python3 >/dev/null 2>&1 || _die "python3 not found" || return 1
        rm -rf "$st_venv"
        if ! python3 -m venv "$st_venv" >/dev/null 2>&1; then
          _apt_install python3-venv || _die "apt-get install python3-venv failed" || return 1
          python3 -m venv "$st_venv" || _die "python3 -m venv failed" || return 1
        fi
        "$st_venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$st_version" ||
          _die "pip install schemathesis==$st_version failed" || return 1
      fi
    fi
    return 0
  }
  _install_the_rest &
  local rest_pid=$!
  # A failing compile still lets the background installs end first: an apt-get left running
  # after the caller exits would hold the package lock.
  _die_after_rest() {
    wait "$rest_pid" || true
    _die "$@"
  }

  # ------------------------------------------------------- 2. wasm-bindgen
  # Run cargo installs outside the repo so its .cargo/config.toml and
  # rust-toolchain.toml play no part, and in a throwaway target dir.
  # These tools only orchestrate the build, so their own speed hardly matters:
  # compile them unoptimised, without LTO or debug info (several times faster).
  _cargo_install() {
    (cd / && env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET \
      CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=false \
      CARGO_PROFILE_RELEASE_STRIP=true \
      cargo install --quiet "$@")
  }

  local lock="$repo/Cargo.lock"
  if [[ ! -f $lock ]]; then
    echo "bootstrap.sh: error: $lock not found, so the wasm-bindgen version is unknown; skipping wasm-bindgen-cli" >&2
  else
    local wb_version
    wb_version="$(grep -A1 '^name = "wasm-bindgen"$' "$lock" | sed -n 's/^version = "\(.*\)"$/\1/p' | head -n1)"
    if [[ -z $wb_version ]]; then
      echo "bootstrap.sh: error: no wasm-bindgen package in Cargo.lock; skipping wasm-bindgen-cli" >&2
    elif [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" &&
      "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version "* ]]; then
      _say "installing wasm-bindgen-cli $wb_version (a few minutes)"
      # Not --locked: the CLI's own lockfile pins crate versions the registry may lack.
      _cargo_install wasm-bindgen-cli --version "$wb_version" ||
        _die_after_rest "cargo install wasm-bindgen-cli --version $wb_version failed" || return 1
    fi
  fi

  # ------------------------------------------------------- 3. cargo-leptos
  if ! grep -qw "$cargo_leptos_version" <<<"$(cargo leptos --version 2>/dev/null || true)"; then
    _say "installing cargo-leptos $cargo_leptos_version (5 to 20 minutes)"
    _cargo_install cargo-leptos --version "$cargo_leptos_version" --locked --features no_downloads --force ||
      _die_after_rest "cargo install cargo-leptos $cargo_leptos_version failed" || return 1
  fi

  wait "$rest_pid" || _die "installing brotli, the npm packages, chromium or schemathesis failed (above)" || return 1
  _path_prepend "$e2e/node_modules/.bin"
  if [[ $for_tests -eq 1 ]]; then
    _path_prepend "$st_venv/bin"
  fi

  unset -f _say _die _as_root _apt_install _deb_installed _path_prepend \
    _rustup_toolchain_ok _debian_rust _cargo_install _install_the_rest _die_after_rest
  return 0
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # sourced
  _leads_bootstrap "$@"
  _leads_rc=$?
  unset -f _leads_bootstrap
  return $_leads_rc
else
  _leads_bootstrap "$@"
fi
