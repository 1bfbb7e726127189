#!/usr/bin/env bash
# Smoke test: start the real binary under Xvfb on a fresh profile, wait for its window, and
# save a screenshot (docs/screenshot.png unless a path is given). Fails if no window appears.
#   scripts/smoke.sh [--debug] [OUTPUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
if [ "${1:-}" = "--debug" ]; then profile=debug; shift; fi
out=${1:-docs/screenshot.png}
mkdir -p "$(dirname "$out")"

if [ -z "${INTAKE_SKIP_INSTALL:-}" ]; then scripts/setup.sh --gui; fi
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=target/$profile/intake

tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'kill "${app_pid:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run" HOME="$tmp/home"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"

xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  set -euo pipefail
  "$0" > "$1/app.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 100); do
    if wid=$(xdotool search --name "^Intake$" 2>/dev/null | head -n 1) && [ -n "$wid" ]; then break; fi
    sleep 0.1
  done
  if [ -z "${wid:-}" ]; then echo "smoke: no Intake window after 10 s" >&2; cat "$1/app.log" >&2; kill $app_pid; exit 1; fi
  sleep 1.5
  import -window "$wid" "$2"
  kill $app_pid
  wait $app_pid 2>/dev/null || true
' "$bin" "$tmp" "$out"
echo "smoke: window found; screenshot saved to $out"
