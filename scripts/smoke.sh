#!/usr/bin/env bash
# Smoke test: start the real binary under Xvfb on a fresh profile, wait for its window, and
# save a screenshot (docs/screenshot.png unless a path is given). Fails if no window appears.
# Installs what is missing first (scripts/setup.sh) unless INTAKE_SKIP_INSTALL is set.
# With --draft FILE the window opens that draft (the README screenshot uses an example).
#   scripts/smoke.sh [--debug] [--draft FILE] [OUTPUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
draft=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --debug) profile=debug; shift ;;
    --draft) draft=$(realpath "$2"); shift 2 ;;
    *) break ;;
  esac
done
out=${1:-docs/screenshot.png}
mkdir -p "$(dirname "$out")"

if [ -z "${INTAKE_SKIP_INSTALL:-}" ]; then scripts/setup.sh --test --gui; fi
if ! command -v cargo >/dev/null 2>&1; then
  # shellcheck disable=SC1091
  . "${CARGO_HOME:-$HOME/.cargo}/env"
fi
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=target/$profile/intake

# ImageMagick's own import, not a look-alike earlier on PATH.
import=/usr/bin/import
if [ ! -x "$import" ]; then import=$(command -v import || true); fi
if [ -z "$import" ]; then
  echo "smoke: ImageMagick's import is missing (apt-get install imagemagick)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run" HOME="$tmp/home"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"

# Inside Xvfb: the app runs in the background; it is stopped (and reaped, so that bash reports
# nothing) however this inner script ends.
xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  set -euo pipefail
  bin=$1 tmp=$2 out=$3 import=$4 draft=$5
  if [ -n "$draft" ]; then "$bin" "$draft" >"$tmp/app.log" 2>&1 & else "$bin" >"$tmp/app.log" 2>&1 & fi
  app_pid=$!
  stop_app() { { kill "$app_pid" && wait "$app_pid"; } 2>/dev/null || true; }
  trap stop_app EXIT
  wid=""
  for _ in $(seq 1 100); do
    wid=$(xdotool search --name "^Intake$" 2>/dev/null | head -n 1 || true)
    if [ -n "$wid" ]; then break; fi
    if ! kill -0 "$app_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$wid" ]; then
    echo "smoke: no Intake window after 10 s" >&2
    cat "$tmp/app.log" >&2
    exit 1
  fi
  sleep 1.5
  "$import" -window "$wid" "$out"
' smoke "$bin" "$tmp" "$out" "$import" "$draft"
echo "smoke: window found; screenshot saved to $out"
