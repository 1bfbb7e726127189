#!/usr/bin/env bash
# The README's "test" command, also what CI runs (.ci/run): installs what is missing
# (scripts/setup.sh --test), then checks formatting, runs clippy, runs every test target inside a
# private D-Bus session with its own gnome-keyring, and runs the smoke test against the debug
# binary (a real window under Xvfb). Exits non-zero on the first failure; prints each phase's time.
#   scripts/test.sh [CARGO TEST ARGS…]
# Arguments go to `cargo test --workspace --all-targets` (e.g. a test name filter, or
# `-- --nocapture`); doc tests run only when no arguments are given.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${CI:-}" ]; then export CARGO_TERM_COLOR=never; fi

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
timings=()
current=""
started=""
start_phase() {
  current=$1
  started=$(now)
  echo
  echo "=== test: $current"
}
end_phase() {
  local secs
  secs=$(awk -v a="$started" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  timings+=("$(printf '  %-8s %7s s' "$current" "$secs")")
  echo "=== test: $current done in $secs s"
  current=""
}
report() {
  local status=$?
  if [ -n "$current" ]; then
    timings+=("$(printf '  %-8s %7s' "$current" FAILED)")
  fi
  if [ "${#timings[@]}" -gt 0 ]; then
    echo
    echo "test: phase timings"
    printf '%s\n' "${timings[@]}"
  fi
  if [ "$status" -eq 0 ]; then echo "test: all passed"; else echo "test: FAILED (exit $status)" >&2; fi
  if [ -n "${tmp:-}" ]; then rm -rf "$tmp"; fi
}
trap report EXIT

start_phase setup
scripts/setup.sh --test
if ! command -v cargo >/dev/null 2>&1; then
  # shellcheck disable=SC1091
  . "${CARGO_HOME:-$HOME/.cargo}/env"
fi
end_phase

start_phase fmt
cargo fmt --all -- --check
end_phase

start_phase clippy
cargo clippy --workspace --all-targets -- -D warnings
end_phase

start_phase tests
# A private session bus and keyring, so tests never touch the user's secrets. gnome-keyring keeps
# its keyrings under XDG_DATA_HOME and its sockets under XDG_RUNTIME_DIR: fresh ones each run.
tmp=$(mktemp -d)
mkdir -p "$tmp/data" "$tmp/config" "$tmp/run"
chmod 700 "$tmp/run"
doc=1
if [ "$#" -gt 0 ]; then doc=0; fi
XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run" INTAKE_DOC_TESTS=$doc \
  dbus-run-session -- sh -c '
    printf pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
    cargo test --workspace --all-targets "$@" || exit $?
    if [ "$INTAKE_DOC_TESTS" = 1 ]; then exec cargo test --workspace --doc; fi
  ' sh "$@"
end_phase

start_phase smoke
INTAKE_SKIP_INSTALL=1 scripts/smoke.sh --debug target/smoke.png
end_phase
